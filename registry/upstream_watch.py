"""The upstream release watch (issue 13): a daily job asks each approved package's registry
for its releases, the npm registry's package document and PyPI's JSON API (base URLs from
the settings, since companies read them through Artifactory or Nexus mirrors).

For each approval in force it records, once per release:
- a newer release than the pin: "update available", with its bump level (the same rules as
  a bump request) and its release date; its owner is told (registry.signals);
- the approved release deprecated, yanked or unpublished upstream: the security team is
  told at once.

A registry that answers 404, 500, garbage or nothing in time is logged with a clear
message and counted; after UPSTREAM_FAILURES_BEFORE_NOTICE failures in a row the
administrators are told, once per failing spell. Nothing is half-written: each package's
findings and its check row are written in one transaction, after the answer was parsed."""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import socket
import threading
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import signals, upstream
from .models import Approval, UpstreamCheck, UpstreamRelease

log = logging.getLogger(__name__)


@dataclass
class WatchReport:
    packages: int = 0
    updates: int = 0
    withdrawn: int = 0
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def package_url(package_registry: str, package: str) -> str | None:
    """Where the registry's document about `package` is; None when that registry is not
    configured (then it is not watched)."""
    if package_registry == "npm" and settings.UPSTREAM_NPM_URL:
        # A scoped name keeps its @ and has its slash encoded, as npm clients send it.
        return f"{settings.UPSTREAM_NPM_URL.rstrip('/')}/{quote(package, safe='@')}"
    if package_registry == "pypi" and settings.UPSTREAM_PYPI_JSON_URL:
        return settings.UPSTREAM_PYPI_JSON_URL.replace("{package}", quote(package, safe=""))
    return None


class _Deadline:
    """The end of one fetch's time. The timeout of urllib bounds each socket operation, not
    the fetch: a registry that answers a byte at a time just inside it would hold the job
    (or the filing page) for as long as it liked. When the time is up every connection
    the fetch opened is shut, which ends a read blocked in another thread at once."""

    def __init__(self, seconds: float):
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self._timer.cancel()

    def watch(self, sock) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                self._shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                self._shut(sock)

    @staticmethod
    def _shut(sock) -> None:
        # The plain socket's shutdown (an SSL socket's own would drop its state); one the
        # other side closed already has nothing to shut.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _DeadlineMixin:
    """A urllib handler whose connections are watched by a _Deadline."""

    def __init__(self, deadline: _Deadline, **kwargs):
        super().__init__(**kwargs)
        self.deadline = deadline

    def do_open(self, http_class, req, **http_conn_args):
        deadline = self.deadline

        def connection(*args, **kwargs):
            conn = http_class(*args, **kwargs)
            connect = conn.connect

            def connect_and_watch():
                connect()
                deadline.watch(conn.sock)

            conn.connect = connect_and_watch
            return conn

        return super().do_open(connection, req, **http_conn_args)


class _HTTPHandler(_DeadlineMixin, urllib.request.HTTPHandler):
    pass


class _HTTPSHandler(_DeadlineMixin, urllib.request.HTTPSHandler):
    pass


def fetch_json(url: str, *, timeout: float | None = None, max_bytes: int | None = None):
    """GET `url` and parse its JSON, or raise UpstreamError saying what went wrong. The
    whole fetch (connecting, redirects, headers and body) takes at most `timeout`
    seconds (UPSTREAM_TIMEOUT)."""
    timeout = timeout or settings.UPSTREAM_TIMEOUT
    max_bytes = max_bytes or settings.UPSTREAM_MAX_BYTES
    if not url.startswith(("http://", "https://")):
        raise upstream.UpstreamError(f"{url}: only http:// and https:// registries are read")
    request = urllib.request.Request(url, headers={
        "Accept": "application/json", "User-Agent": "mcp-governance-portal release watch"})
    too_slow = f"{url} did not answer within {timeout:g} s"
    with _Deadline(timeout) as deadline:
        opener = urllib.request.build_opener(_HTTPHandler(deadline), _HTTPSHandler(deadline))
        try:
            with opener.open(request, timeout=timeout) as response:
                body = response.read(max_bytes + 1)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise upstream.UpstreamError(
                    f"{url} answered 404: the registry does not know this package") from None
            raise upstream.UpstreamError(f"{url} answered HTTP {exc.code}") from None
        except TimeoutError:
            raise upstream.UpstreamError(too_slow) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            if deadline.expired:
                raise upstream.UpstreamError(too_slow) from None
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise upstream.UpstreamError(too_slow) from None
            raise upstream.UpstreamError(
                f"{url} could not be reached: {str(reason) or type(reason).__name__}") from None
        if deadline.expired:  # the body was cut short when the time ran out
            raise upstream.UpstreamError(too_slow)
    if len(body) > max_bytes:
        raise upstream.UpstreamError(f"{url} answered more than {max_bytes} bytes")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise upstream.UpstreamError(
            f"{url} answered something that is not JSON ({body[:40]!r}…)") from None


def _watched(today):
    groups = defaultdict(list)
    rows = (Approval.objects.deployable(today)
            .filter(server__package_registry__in=upstream.WATCHED_REGISTRIES)
            .exclude(server__package="")
            .values_list("pk", "server__package_registry", "server__package", "version")
            .order_by("server__name"))
    for pk, package_registry, package, version in rows:
        groups[(package_registry, package)].append((pk, version))
    return groups


def watch_upstream_releases(*, now=None) -> WatchReport:
    """Ask each approved package's registry once, and record what it says (the rule of the
    watch: see the module's docstring). Returns what it did, for the job's log."""
    now = now or timezone.now()
    report = WatchReport()
    for (package_registry, package), approvals in _watched(timezone.localdate(now)).items():
        url = package_url(package_registry, package)
        if url is None:
            report.skipped.append(f"{package_registry}:{package}")
            continue
        report.packages += 1
        try:
            releases = upstream.PARSERS[package_registry](fetch_json(url))
        except upstream.UpstreamError as exc:
            log.warning("release watch: %s %s: %s", package_registry, package, exc)
            report.failed.append(f"{package_registry}:{package}: {exc}")
            record_failure(package_registry=package_registry, package=package,
                           error=str(exc), now=now)
            continue
        updates, withdrawn = record_releases(package_registry=package_registry,
                                             package=package, approvals=approvals,
                                             releases=releases, now=now)
        report.updates += updates
        report.withdrawn += withdrawn
    if report.skipped:
        log.info("release watch: registry not configured for %d package(s): %s",
                 len(report.skipped), ", ".join(report.skipped[:20]))
    return report


@transaction.atomic
def record_releases(*, package_registry: str, package: str, approvals, releases, now
                    ) -> tuple[int, int]:
    """Record, for each (approval id, pinned version), the newest update and a withdrawn
    pin, once per release; mark the package's check as succeeded. One transaction."""
    UpstreamCheck.objects.update_or_create(
        package_registry=package_registry, package=package,
        defaults={"checked_at": now, "succeeded_at": now, "failures": 0, "last_error": ""})
    updates = withdrawn = 0
    for approval_id, version in approvals:
        update = upstream.newest_update(version, releases)
        if update:
            finding, created = UpstreamRelease.objects.get_or_create(
                approval_id=approval_id, kind=UpstreamRelease.Kind.UPDATE,
                version=update.release.version,
                defaults={"level": update.level, "released_at": update.release.released_at,
                          "detail": update.why[:500], "found_at": now})
            if created:
                updates += 1
                signals.upstream_release_found.send(UpstreamRelease, release=finding)
        why = upstream.approved_withdrawn(version, releases)
        if why:
            finding, created = UpstreamRelease.objects.get_or_create(
                approval_id=approval_id, kind=UpstreamRelease.Kind.WITHDRAWN, version=version,
                defaults={"detail": why[:500], "found_at": now,
                          "released_at": getattr(releases.get(version), "released_at", None)})
            if created:
                withdrawn += 1
                signals.upstream_release_found.send(UpstreamRelease, release=finding)
    return updates, withdrawn


@transaction.atomic
def record_failure(*, package_registry: str, package: str, error: str, now) -> UpstreamCheck:
    """Count one more failure in a row; at the threshold, tell the administrators (once per
    spell: the count starts again after a success)."""
    check, _ = UpstreamCheck.objects.select_for_update().get_or_create(
        package_registry=package_registry, package=package)
    check.failures += 1
    check.checked_at = now
    check.last_error = error[:500]
    check.save()
    if check.failures == settings.UPSTREAM_FAILURES_BEFORE_NOTICE:
        signals.upstream_watch_failing.send(UpstreamCheck, check=check)
    return check


def open_updates(approval_ids) -> dict[int, UpstreamRelease]:
    """The newest "update available" of each approval (one query), for the catalog and the
    server page."""
    newest = {}
    for finding in UpstreamRelease.objects.filter(
            approval_id__in=approval_ids, kind=UpstreamRelease.Kind.UPDATE).order_by(
            "approval_id", "-found_at", "-id"):
        newest.setdefault(finding.approval_id, finding)
    return newest


def withdrawn_pins(approval_ids) -> dict[int, UpstreamRelease]:
    return {f.approval_id: f for f in UpstreamRelease.objects.filter(
        approval_id__in=approval_ids, kind=UpstreamRelease.Kind.WITHDRAWN)}
