"""Version pins (SPEC §4 rule 1): an exact release or an OCI digest, and the same
version in the arguments that run the server; bump classification (rule 4): patch, minor
or major, anything unclear counting as major."""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

BUMP_LEVELS = ("patch", "minor", "major")


# ─── version pins (SPEC §4 rule 1) ──────────────────────────────────────────────────

OCI_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
EXACT_VERSION = re.compile(
    r"^(?P<release>\d+(?:\.\d+){2,3})"
    r"(?P<pre>(?:-[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)|(?:(?:a|b|rc|alpha|beta|pre|dev)\.?\d+))?"
    r"(?:\+[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?$"
)
MOVING_TAGS = {"latest", "stable", "next", "main", "master", "head", "dev", "edge", "nightly"}
OPERATORS = re.compile(r"[\^~<>=|!*,\s]")
WILDCARD_PART = re.compile(r"(^|[.-])[xX*](?=$|[.-])")


def version_problem(version: str | None) -> str | None:
    """Why `version` is not an exact pin, or None when it is one."""
    if version is None or not str(version).strip():
        return "a version is required: pin an exact release such as 1.2.3"
    v = str(version)
    if v.strip().lower() in MOVING_TAGS:
        return f"'{v}' is a moving tag, not a release: pin an exact version such as 1.2.3"
    if OPERATORS.search(v):
        return (
            f"'{v}' is a range or has an operator (^ ~ > < = || * or a space): "
            "pin one exact version such as 1.2.3"
        )
    if WILDCARD_PART.search(v):
        return f"'{v}' has a wildcard part (x or *): pin one exact version such as 1.2.3"
    if v.startswith("sha256:"):
        if OCI_DIGEST.match(v):
            return None
        return "an OCI digest is sha256: followed by 64 lower-case hex characters"
    if EXACT_VERSION.match(v):
        return None
    if re.match(r"^\d+(\.\d+)?$", v):
        return (
            f"'{v}' names a release line, not a release: give major.minor.patch, "
            f"such as {v}{'.0' * (2 - v.count('.'))}"
        )
    if not v[0].isdigit():
        return f"'{v}' looks like a branch or tag name: pin an exact version such as 1.2.3"
    return f"'{v}' is not an exact version: use major.minor.patch, e.g. 1.2.3 or 2.1.0-rc.1"


NPM_SPEC = re.compile(r"^(?P<name>(?:@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*)@(?P<version>[^@/\s]+)$")
PYPI_SPEC = re.compile(r"^(?P<name>[A-Za-z0-9][\w.-]*)(?:\[[\w,.-]+\])?==(?P<version>\S+)$")
OCI_REF = re.compile(
    r"^(?P<name>[a-z0-9][\w.-]*(?::\d+)?(?:/[a-z0-9][\w.-]*)+)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)


def pinned_in_args(args, package: str = "") -> list[tuple[str, set[str]]]:
    """(argument, the versions it names) for each argument naming a package with a version.

    With `package` known only arguments naming that package count; without it, scoped
    npm specs (`@scope/pkg@1.2.3`), `pkg==1.2.3` and image digests count. An image
    reference with both a tag and a digest names both."""
    found = []
    for arg in args or []:
        if not isinstance(arg, str) or arg.startswith("-"):
            continue
        m = NPM_SPEC.match(arg)
        if m and (m["name"] == package or (not package and m["name"].startswith("@"))):
            found.append((arg, {m["version"]}))
            continue
        m = PYPI_SPEC.match(arg)
        if m and (not package or m["name"].lower() == package.lower()):
            found.append((arg, {m["version"]}))
            continue
        m = OCI_REF.match(arg)
        if m and (m["digest"] or (m["tag"] and package and m["name"] == package)):
            found.append((arg, {v for v in (m["digest"], m["tag"]) if v}))
    return found


def repin_args(args, package: str, old: str, new: str) -> list:
    """The arguments with the package's pin moved from `old` to `new` (`pkg@old`,
    `pkg==old`, `image:old`); anything else unchanged. For a bump filed from an update."""
    moved = []
    for arg in args or []:
        if isinstance(arg, str) and any(old in versions for a, versions in
                                        pinned_in_args([arg], package) if a == arg):
            for sep in ("@", "==", ":"):
                if arg.endswith(f"{sep}{old}"):
                    arg = arg[: -len(old)] + new
                    break
        moved.append(arg)
    return moved


def unpinned_in_args(args, package: str = "") -> list[str]:
    """Arguments that would run whatever release is newest: the package named without a
    version, or with a moving tag such as @latest."""
    found = []
    for arg in args or []:
        if not isinstance(arg, str) or arg.startswith("-"):
            continue
        if package and arg.lower() == package.lower():
            found.append(arg)
            continue
        m = NPM_SPEC.match(arg)
        if m and m["version"].lower() in MOVING_TAGS:
            found.append(arg)
            continue
        m = OCI_REF.match(arg)
        if m and package and m["name"] == package and (
                not (m["tag"] or m["digest"]) or (m["tag"] or "").lower() in MOVING_TAGS):
            found.append(arg)
    return found


def args_pin_problems(args, version: str, package: str = "") -> list[str]:
    problems = [
        f"argument '{arg}' runs version {' / '.join(sorted(pinned))} but the request pins "
        f"{version}: they must be the same"
        for arg, pinned in pinned_in_args(args, package)
        if version not in pinned
    ]
    problems += [
        f"argument '{arg}' names the package without its version, so the client would run "
        f"whatever release is newest: pin it to {version} (e.g. {package or 'pkg'}@{version}, "
        f"pkg=={version} or image@sha256:…)"
        for arg in unpinned_in_args(args, package)
    ]
    return problems


# ─── version bumps (SPEC §4 rule 4) ─────────────────────────────────────────────────


@dataclass(frozen=True)
class BumpClassification:
    level: str
    why: str


def _parse(version: str) -> Version | None:
    try:
        return Version(version)
    except (InvalidVersion, TypeError):
        return None


def classify_bump(old: str, new: str) -> BumpClassification:
    """patch, minor or major of `new` against `old`; anything unclear counts as major."""
    a, b = _parse(old), _parse(new)
    if a is None or b is None:
        return BumpClassification("major", "a version that cannot be classified counts as major")
    if b.is_prerelease or b.is_devrelease:
        return BumpClassification("major", "a pre-release counts as major")
    if b == a:
        return BumpClassification("major", "the same version is not a bump")
    if b < a:
        return BumpClassification("major", "a downgrade counts as major")
    ra = (a.release + (0, 0, 0))[:3]
    rb = (b.release + (0, 0, 0))[:3]
    if a.epoch != b.epoch or ra[0] != rb[0]:
        return BumpClassification("major", f"{old} → {new} changes the major version")
    if ra[1] != rb[1]:
        return BumpClassification("minor", f"{old} → {new} changes the minor version")
    return BumpClassification("patch", f"{old} → {new} changes only the patch level")



def not_newer(version: str, than: str) -> bool:
    """Whether `version` is the same release as `than` or an older one: a bump to it from
    `than` would be no bump at all (the same) or a downgrade. Versions that cannot be
    compared (digests, free text) count as not newer only when they are the same text."""
    if version == than:
        return True
    a, b = _parse(version), _parse(than)
    if a is None or b is None:
        return False
    return a <= b
