"""What a package registry says about a package's releases: pure functions over the npm
registry's package document and PyPI's JSON API, no network and no database (the watch,
registry.upstream_watch, fetches and records).

- npm: `versions` (each may carry `deprecated`, a message), `time` (version -> ISO date;
  `time.unpublished` when the whole package was unpublished).
- PyPI JSON API: `releases` (version -> its files, each with `upload_time_iso_8601` and
  `yanked` / `yanked_reason`); a release whose files are all yanked is yanked.

A document of another shape is refused with a message saying what is wrong with it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from governance.policy.versions import classify_bump

WATCHED_REGISTRIES = ("npm", "pypi")


class UpstreamError(Exception):
    """The registry's answer could not be used; the message says why, for the job log."""


@dataclass(frozen=True)
class Release:
    version: str
    released_at: dt.datetime | None = None
    withdrawn: str = ""  # why it should no longer be used: deprecated, yanked; "" if fine


@dataclass(frozen=True)
class Update:
    release: Release
    level: str  # patch / minor / major, as a bump request of it would be classified
    why: str


def _moment(value) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def parse_npm(doc) -> dict[str, Release]:
    """The releases of an npm package document."""
    if not isinstance(doc, dict):
        raise UpstreamError("the npm registry answered something that is not a package "
                            "document (expected a JSON object)")
    times = doc.get("time") if isinstance(doc.get("time"), dict) else {}
    versions = doc.get("versions")
    if versions is None and isinstance(times.get("unpublished"), dict):
        return {}  # the whole package was unpublished: no release is left
    if not isinstance(versions, dict):
        raise UpstreamError("the npm package document has no 'versions' object")
    releases = {}
    for version, manifest in versions.items():
        deprecated = manifest.get("deprecated") if isinstance(manifest, dict) else None
        withdrawn = ""
        if isinstance(deprecated, str) and deprecated.strip():
            withdrawn = f"deprecated on npm: {deprecated.strip()[:300]}"
        releases[str(version)] = Release(str(version), _moment(times.get(version)), withdrawn)
    return releases


def parse_pypi(doc) -> dict[str, Release]:
    """The releases of a PyPI JSON API document (`/pypi/<name>/json`)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("releases"), dict):
        raise UpstreamError("the PyPI JSON API answered without a 'releases' object")
    releases = {}
    for version, files in doc["releases"].items():
        files = [f for f in files if isinstance(f, dict)] if isinstance(files, list) else []
        uploaded = [m for m in (_moment(f.get("upload_time_iso_8601") or f.get("upload_time"))
                                for f in files) if m]
        withdrawn = ""
        if files and all(f.get("yanked") for f in files):
            reasons = sorted({str(f.get("yanked_reason") or "").strip() for f in files} - {""})
            withdrawn = "yanked on PyPI" + (f": {reasons[0][:300]}" if reasons else "")
        releases[str(version)] = Release(str(version), min(uploaded, default=None), withdrawn)
    return releases


PARSERS = {"npm": parse_npm, "pypi": parse_pypi}


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def newest_update(approved: str, releases: dict[str, Release]) -> Update | None:
    """The newest final release above the approved pin that is not withdrawn, with its
    bump level; None when there is none (or the pin cannot be compared)."""
    current = _version(approved)
    if current is None:
        return None
    candidates = [(v, r) for r in releases.values() if not r.withdrawn
                  and (v := _version(r.version)) is not None
                  and not (v.is_prerelease or v.is_devrelease) and v > current]
    if not candidates:
        return None
    _, release = max(candidates, key=lambda pair: pair[0])
    bump = classify_bump(approved, release.version)
    return Update(release, bump.level, bump.why)


def approved_withdrawn(approved: str, releases: dict[str, Release]) -> str:
    """Why the approved release should no longer be used ("" when it is fine): deprecated
    or yanked upstream, or gone from the registry (unpublished or deleted)."""
    release = releases.get(approved)
    if release is None and (pin := _version(approved)) is not None:
        release = next((r for r in releases.values() if _version(r.version) == pin), None)
    if release is None:
        return ("no longer published: the registry does not list this version (unpublished "
                "or deleted)")
    return release.withdrawn
