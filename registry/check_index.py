"""The check API's view of the registry: what a client config runs (its identity), and the
servers it may be, found by indexed lookups (an approval by the digest of what it runs or
by its URL's host, a server by its package or name), so that a check costs the same at
1,000 approvals as at 100,000, and so does the first check after a change.

What a lookup found is kept in this process for the registry revision it was read at
(every change of the registry bumps the revision in the change's transaction, and the date
is part of it: an approval lapses by date): checks of the same configs, which is most of
them (every developer's hook at every session start), then read one single-row revision
and nothing else, and agree with the export files served for the same revision."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from governance.policy import versions
from governance.policy.run_keys import digest, host_of, identity

from . import workflow
from .models import Approval, Server, in_force, lapsed
from .selectors import export_state

__all__ = ["Index", "ServerState", "current_index", "host_of", "identity", "packages_named",
           "pin_of"]

# The most lookups kept for one revision before they are dropped and read again.
MAX_ENTRIES = 200_000


def pin_of(key: tuple) -> dict:
    return {"serverUrl": key[1]} if key[0] == "url" else {"serverCommand": list(key[1:])}


def packages_named(args) -> list[str]:
    """The package names a command line mentions, with or without a version."""
    names = []
    for arg in args or []:
        if not isinstance(arg, str) or arg.startswith("-"):
            continue
        for pattern in (versions.NPM_SPEC, versions.PYPI_SPEC, versions.OCI_REF):
            m = pattern.match(arg)
            if m:
                names.append(m["name"].lower())
                break
        names.append(arg.lower())
    return names


# ─── the index ──────────────────────────────────────────────────────────────────────


@dataclass
class ServerState:
    name: str
    deployable: tuple | None = None  # (version, identity, expires)
    lapsed: tuple | None = None  # (version, expires) of the newest expired approval
    denial: tuple | None = None  # (request id, reason, alternative)
    open_request: tuple | None = None  # (request id, version, status)
    excluded_tools: tuple = ()  # the tools the deployable approval excludes


@dataclass
class Index:
    """What the lookups of one registry revision found: a key absent from a dict was not
    looked up yet (`prepare` looks it up), a key mapped to None was looked up and matches
    nothing. `servers` holds the state of every server a lookup found."""

    today: object = None
    servers: dict[int, ServerState] = field(default_factory=dict)
    by_identity: dict[tuple, tuple | None] = field(default_factory=dict)
    denied_identity: dict[tuple, int] | None = None  # every denial's, read once a revision
    by_package: dict[str, int | None] = field(default_factory=dict)
    by_host: dict[str, frozenset] = field(default_factory=dict)
    by_name: dict[str, int | None] = field(default_factory=dict)

    def size(self) -> int:
        return (len(self.servers) + len(self.by_identity) + len(self.by_package)
                + len(self.by_host) + len(self.by_name))

    def prepare(self, entries) -> None:
        """Look up, in a few indexed queries, whatever the (name, config) pairs of a check
        need that this revision has not looked up yet."""
        keys, packages, hosts, names = set(), set(), set(), set()
        for name, config in entries:
            if isinstance(name, str) and name not in self.by_name:
                names.add(name)
            key = identity(config)
            if key is None:
                continue
            if key not in self.by_identity:
                keys.add(key)
            if key[0] == "cmd":
                packages.update(p for p in packages_named(key[2:]) if p not in self.by_package)
            elif host_of(key[1]) not in self.by_host:
                hosts.add(host_of(key[1]))
        found: set[int] = set()
        if self.denied_identity is None:
            self.denied_identity = {}
            for sid, config in workflow.current().denied_runs():
                key = identity(config)
                if key:
                    self.denied_identity[key] = sid
                    found.add(sid)
        if keys:
            by_digest = {digest(k): k for k in keys}
            self.by_identity.update(dict.fromkeys(keys))
            rows = Approval.objects.filter(run_digest__in=by_digest).values_list(
                "run_digest", "config", "server_id", "version", "status", "expires"
            ).order_by("approved_date", "id")
            for run, config, sid, version, status, expires in rows:
                key = by_digest[run]
                if identity(config) != key:  # a digest collision: not this one
                    continue
                deployable = in_force(status, expires, self.today)
                self.by_identity[key] = (sid, version, "deployable" if deployable else status)
                found.add(sid)
        if hosts:
            self.by_host.update(dict.fromkeys(hosts, frozenset()))
            pairs: dict[str, set[int]] = {}
            for host, sid in Approval.objects.filter(url_host__in=hosts).values_list(
                    "url_host", "server_id").distinct():
                pairs.setdefault(host, set()).add(sid)
            for host, sids in pairs.items():
                self.by_host[host] = frozenset(sids)
                found.update(sids)
        if packages or names:
            self.by_package.update(dict.fromkeys(packages))
            self.by_name.update(dict.fromkeys(names))
            rows = Server.objects.annotate(lower_package=Lower("package")).filter(
                Q(lower_package__in=packages) | Q(name__in=names)).values_list(
                "id", "name", "lower_package").order_by("name")
            for sid, name, package in rows:
                if package in packages:
                    self.by_package[package] = sid
                    found.add(sid)
                if name in names:
                    self.by_name[name] = sid
                    found.add(sid)
        self._load_servers(found - self.servers.keys())

    def _load_servers(self, sids: set[int]) -> None:
        if not sids:
            return
        for sid, name in Server.objects.filter(pk__in=sids).values_list("id", "name"):
            self.servers[sid] = ServerState(name=name)
        approvals = Approval.objects.filter(server_id__in=sids).values_list(
            "server_id", "version", "status", "expires", "config", "excluded_tools").order_by(
            "approved_date", "id")
        for sid, version, status, expires, config, excluded in approvals:
            state = self.servers[sid]
            if in_force(status, expires, self.today):
                state.deployable = (version, identity(config), expires)
                state.excluded_tools = tuple(excluded or ())
            elif lapsed(status, expires, self.today):
                state.lapsed = (version, expires)
        rows = workflow.current().check_rows(server_ids=sids)
        for rid, sid, _config, reason, alternative in rows.denials:
            self.servers[sid].denial = (rid, reason, alternative)
        for rid, sid, version, status in rows.open_requests:
            self.servers[sid].open_request = (rid, version, status)


_cache: dict = {}
_lock = threading.Lock()


def registry_version(today) -> tuple:
    """Changes whenever anything the verdicts depend on changes: every change of the
    registry bumps its revision in the same transaction (registry.services.registry_changed),
    and an approval's expiry by date changes `today`. One single-row read."""
    state = export_state()
    return (today, state.number, state.changed_at)


def current_index(entries=()) -> Index:
    """The index of the current revision, with whatever the (name, config) pairs of
    `entries` need looked up."""
    today = timezone.localdate()
    version = registry_version(today)
    with _lock:
        index = _cache.get("index") if _cache.get("version") == version else None
        if index is None or index.size() > MAX_ENTRIES:
            index = Index(today=today)
            _cache.update(version=version, index=index)
        index.prepare(entries)
    return index
