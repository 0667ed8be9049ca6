"""What a client config runs, as the check API and the allowlist recognise it: its
identity (the URL of a remote server, the command and args of a stdio one), a fixed-size
digest of it to look approvals up by, and the host of a URL."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import urlsplit

from . import remote


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


def digest(key: tuple) -> str:
    """A fixed-size name of an identity, for an indexed column (sha256, 64 hex digits)."""
    return hashlib.sha256(json.dumps(list(key)).encode()).hexdigest()


def host_of(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


def lookup_columns(config) -> tuple[str, str]:
    """(identity digest, URL host) of a config: what an approval stores to be found by."""
    key = identity(config)
    if key is None:
        return "", ""
    return digest(key), (host_of(key[1])[:255] if key[0] == "url" else "")
