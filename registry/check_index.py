"""The check API's view of the registry: what a client config runs (its identity), and an
in-memory index of the servers by identity, package, host and name, read once per registry
revision (every change of the registry bumps it, in the change's transaction), so a check
costs one single-row read whatever the size of the registry, and agrees with the export
files served for the same revision."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.utils import timezone

from governance.policy import remote, versions

from . import workflow
from .models import Approval, Server, in_force, lapsed
from .selectors import export_state

# ─── identity of a client config ────────────────────────────────────────────────────


def identity(config) -> tuple | None:
    """What a config runs: ("url", URL) for a remote server, ("cmd", command, *args) for
    stdio; None when it is neither. The allowlist of managed-settings.json pins the same."""
    if not isinstance(config, dict):
        return None
    kind = config.get("type")
    if kind in remote.REMOTE_TYPES:
        url = config.get("url")
        return ("url", url) if isinstance(url, str) and url else None
    command = config.get("command")
    args = config.get("args") or []
    if not isinstance(command, str) or not command or not isinstance(args, list):
        return None
    if not all(isinstance(a, str) for a in args):
        return None
    return ("cmd", command, *args)


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


def host_of(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


# ─── the index ──────────────────────────────────────────────────────────────────────


@dataclass
class ServerState:
    name: str
    deployable: tuple | None = None  # (version, identity, expires)
    lapsed: tuple | None = None  # (version, expires) of the newest expired approval
    denial: tuple | None = None  # (request id, reason, alternative)
    open_request: tuple | None = None  # (request id, version, status)


@dataclass
class Index:
    servers: dict[int, ServerState] = field(default_factory=dict)
    by_identity: dict[tuple, tuple[int, str, str]] = field(default_factory=dict)
    denied_identity: dict[tuple, int] = field(default_factory=dict)
    by_package: dict[str, int] = field(default_factory=dict)
    by_host: dict[str, set[int]] = field(default_factory=dict)
    by_name: dict[str, int] = field(default_factory=dict)


def build_index(today) -> Index:
    index = Index()
    for sid, name, package in Server.objects.values_list("id", "name", "package"):
        index.servers[sid] = ServerState(name=name)
        index.by_name[name] = sid
        if package:
            index.by_package[package.lower()] = sid
    approvals = Approval.objects.values_list(
        "server_id", "version", "status", "expires", "config").order_by("approved_date", "id")
    for sid, version, status, expires, config in approvals:
        state = index.servers[sid]
        key = identity(config)
        deployable = in_force(status, expires, today)
        if key:
            index.by_identity[key] = (sid, version, "deployable" if deployable else status)
            if key[0] == "url":
                index.by_host.setdefault(host_of(key[1]), set()).add(sid)
        if deployable:
            state.deployable = (version, key, expires)
        elif lapsed(status, expires, today):
            state.lapsed = (version, expires)
    rows = workflow.current().check_rows()
    for rid, sid, config, reason, alternative in rows.denials:
        index.servers[sid].denial = (rid, reason, alternative)
        key = identity(config)
        if key:
            index.denied_identity[key] = sid
    for rid, sid, version, status in rows.open_requests:
        index.servers[sid].open_request = (rid, version, status)
    return index


_cache: dict = {}
_lock = threading.Lock()


def registry_version(today) -> tuple:
    """Changes whenever anything the verdicts depend on changes: every change of the
    registry bumps its revision in the same transaction (registry.services.registry_changed),
    and an approval's expiry by date changes `today`. One single-row read."""
    state = export_state()
    return (today, state.number, state.changed_at)


def current_index() -> Index:
    today = timezone.localdate()
    version = registry_version(today)
    with _lock:
        if _cache.get("version") == version:
            return _cache["index"]
    index = build_index(today)
    with _lock:
        _cache.update(version=version, index=index)
    return index
