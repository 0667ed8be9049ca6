"""Claude Code's files: managed-mcp.json (the servers) and managed-settings.json (the
allowlist and the denylist), written so that the client's matching does what they mean."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit, urlunsplit

from governance.policy import remote, tools

from .records import ApprovedEntry

# How Claude Code applies the entries of allowedMcpServers and deniedMcpServers
# (code.claude.com/docs/en/managed-mcp, "Policy-based control with allowlists and
# denylists", and its settings reference; anthropics/claude-code#56499 for `*://`):
# - serverCommand matches the exact argv, the command and every argument in order: no
#   wildcard (["npx", "-y", "x"] does not match ["npx", "x"]).
# - serverUrl is a pattern: `*` matches any sequence of characters, anywhere
#   (`https://*.example.com/*`, `http://localhost:*/*`, `*://host/*`), and host names
#   are compared without regard to case.
# - serverName matches the name the user gave the server in their own config.
# The denylist wins over the allowlist, and it applies to managed-mcp.json's servers too.
# So the files never carry a `*` in a serverUrl, and never a deny entry that the client
# would apply to a server the allowlist pins. Claude Code has validated serverName against
# [a-zA-Z0-9_-] and skipped the whole settings file over one entry outside it
# (anthropics/claude-code#23838): a catalog name with a dot is denied by command or URL
# only, lest the allowlist go with it.
CLIENT_SERVER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def url_is_pattern(url) -> bool:
    """A URL the client would read as a pattern: `*` anywhere. Rows written before the
    rule of SPEC §4 rule 11 may still hold one."""
    return isinstance(url, str) and "*" in url


def _canonical_url(url: str) -> str:
    """Spellings of one URL that a client may treat alike: case, the default port, an
    empty path."""
    try:
        parts = urlsplit(url.lower())
    except ValueError:  # an unbalanced [ in the host: compare as written
        return url.lower()
    netloc = parts.netloc.removesuffix(":443") if parts.scheme == "https" else parts.netloc
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, parts.fragment))


def client_matches(entry: dict, pinned: dict) -> bool:
    """Whether Claude Code would apply the rule `entry` (a serverCommand or serverUrl entry)
    to the server that the allowlist entry `pinned` describes. Where the client's matching
    is not documented this errs towards a match (case is ignored in the whole URL, the
    default port and an empty path too), so that a deny entry is left out whenever the
    client might apply it to an approved server."""
    if "serverCommand" in entry:
        return entry["serverCommand"] == pinned.get("serverCommand")
    pattern, url = entry.get("serverUrl"), pinned.get("serverUrl")
    if not isinstance(pattern, str) or not isinstance(url, str):
        return False
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    if re.fullmatch(regex, url, re.IGNORECASE | re.DOTALL):
        return True
    return not url_is_pattern(pattern) and _canonical_url(pattern) == _canonical_url(url)


def deployable(approved: list[ApprovedEntry]) -> list[ApprovedEntry]:
    """The approvals the Claude Code files carry, by name: all but one whose URL is a
    pattern (legacy data), which in the allowlist would let any server run."""
    return [e for e in sorted(approved, key=lambda e: e.name)
            if not url_is_pattern(e.config.get("url"))]


def managed_mcp(approved: list[ApprovedEntry]) -> dict:
    """Claude Code's managed-mcp.json: exactly these servers, each config as stored."""
    return {"mcpServers": {e.name: e.config for e in deployable(approved)}}


def allow_entry(config: dict) -> dict:
    """The allowlist entry that pins a config exactly: its URL, or command plus args."""
    if config.get("type") in remote.REMOTE_TYPES:
        return {"serverUrl": config.get("url", "")}
    return {"serverCommand": [config.get("command", ""), *config.get("args", [])]}


class Pinned:
    """The allowlist's entries, indexed for `client_matches`: whether the client would
    apply a deny entry to any of them, without comparing it to every one (a registry of
    100,000 approvals and a denylist of thousands)."""

    def __init__(self):
        self.commands: set[tuple] = set()
        self.other: list[dict] = []  # pinned by URL, or by a command that cannot be hashed
        self.names: set[str] = set()

    def add(self, name: str, entry: dict) -> None:
        self.names.add(name.lower())
        command = entry.get("serverCommand")
        try:
            self.commands.add(tuple(command))
        except TypeError:  # no command (a URL), or an argument that is a list or mapping
            self.other.append(entry)

    def matched_by(self, entry: dict) -> bool:
        """`any(client_matches(entry, pinned) for pinned in <the entries added>)`."""
        if "serverCommand" in entry:
            try:
                if tuple(entry["serverCommand"]) in self.commands:
                    return True
            except TypeError:
                pass
        return any(client_matches(entry, pinned) for pinned in self.other)


def denylist(denied: list[tuple[str, dict]], pinned: Pinned) -> list[dict]:
    """managed-settings.json's deny entries for the denied (name, config) pairs: by name,
    and by their exact command or URL where a person denied them. The denylist wins in the
    client, and anyone can file a request: a deny entry is never a pattern, never the name
    of an approved server and never one the client would apply to what the allowlist
    pins."""
    deny: list[dict] = []
    for name, config in sorted(denied, key=lambda d: d[0]):
        if name.lower() not in pinned.names and CLIENT_SERVER_NAME.match(name):
            deny.append({"serverName": name})
        if not config:
            continue
        entry = allow_entry(config)
        if url_is_pattern(entry.get("serverUrl")) or entry in deny or pinned.matched_by(entry):
            continue
        deny.append(entry)
    return deny


def managed_settings(approved: list[ApprovedEntry], denied: list[tuple[str, dict]]) -> dict:
    """managed-settings.json: an allowlist pinned by command or URL (never by name, which
    users choose), made authoritative, the denylist (`denylist`), and the rules that deny
    the tools an approval excludes (`with_tool_rules`)."""
    pinned = Pinned()
    allowed = []
    servers = deployable(approved)
    for e in servers:
        allowed.append(allow_entry(e.config))
        pinned.add(e.name, allowed[-1])
    document = {
        "allowManagedMcpServersOnly": True,
        "allowedMcpServers": allowed,
        "deniedMcpServers": denylist(denied, pinned),
    }
    return with_tool_rules(document, servers)


def with_tool_rules(document: dict, servers: list[ApprovedEntry]) -> dict:
    """`document` with a `permissions.deny` rule `mcp__<server>__<tool>` for every tool
    an approval excludes, the servers named as managed-mcp.json names them (Claude Code
    enforces managed settings' permission rules; no user setting overrides them), merged
    after any deny rules the document has. No exclusion, no `permissions` key: the file is
    then byte for byte what it was before tool-level approval."""
    rules = tools.deny_rules({e.name: e.excluded_tools for e in servers if e.excluded_tools})
    if not rules:
        return document
    permissions = dict(document.get("permissions") or {})
    permissions["deny"] = tools.merged_deny(permissions.get("deny"), rules)
    return {**document, "permissions": permissions}


def dump_json(document: dict) -> str:
    """`json.dumps(document, indent=2, ensure_ascii=False)` and a line break, written
    without the standard library's pure-Python indenting encoder (several times slower)."""
    out: list[str] = []
    try:
        _indented(document, "", out)
    except TypeError:  # a key that is not a string: let json say how it writes it
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    out.append("\n")
    return "".join(out)


_string = json.encoder.encode_basestring  # in C where the json module has its speedups


def _indented(value, pad: str, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, dict | list | tuple):
        if not value:
            out.append("{}" if isinstance(value, dict) else "[]")
            return
        inner = pad + "  "
        separator = ("{\n" if isinstance(value, dict) else "[\n") + inner
        if isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    raise TypeError(key)
                out.append(f"{separator}{_string(key)}: ")
                _indented(item, inner, out)
                separator = ",\n" + inner
        else:
            for item in value:
                out.append(separator)
                _indented(item, inner, out)
                separator = ",\n" + inner
        out.append(f"\n{pad}{'}' if isinstance(value, dict) else ']'}")
    else:  # numbers, true, false, null
        out.append(json.dumps(value))
