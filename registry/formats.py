"""The file formats of SPEC §6 as pure functions: plain records in, text out, and the
registry YAML parsed into validated records with every problem located by entry and field."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import yaml

from governance import limits
from governance.policy import configs, names, remote, routing, versions

# libyaml's loader when PyYAML was built with it (it parses several times faster); the
# pure-Python one otherwise, and to word the problems of a file that does not parse.
FastSafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Values a document may expand to through aliases (&anchor ... *anchor): a few lines can
# otherwise stand for billions of values (the "billion laughs"), far beyond any registry.
MAX_VALUES = 1_000_000

PLACEHOLDER_DATE = "YYYY-MM-DD"
PACKAGE_KEYS = {"npm": "npm_package", "pypi": "pypi_package", "oci": "oci_image"}
PACKAGE_REGISTRY_OF_KEY = {key: registry for registry, key in PACKAGE_KEYS.items()}
PENDING_STATUSES = ("under_review", "sandbox_trial", "awaiting_security", "needs_info")


# ─── records ────────────────────────────────────────────────────────────────────────


@dataclass
class ApprovedEntry:
    name: str
    version: str
    source: str
    approved_by: str
    approved_date: dt.date
    expires: dt.date
    data_scope: str
    risk: str
    rationale: str = ""
    package_registry: str = ""
    package: str = ""
    restrictions: list = field(default_factory=list)
    config: dict = field(default_factory=dict)


@dataclass
class PendingEntry:
    name: str
    requested_by: str
    requested_date: dt.date
    source: str
    use_case: str
    proposed_data_scope: str
    status: str
    expected_decision: dt.date
    reviewer: str = ""
    notes: str = ""
    kind: str = "new_server"
    version: str = ""
    config: dict = field(default_factory=dict)


@dataclass
class DeniedEntry:
    name: str
    denied_date: dt.date
    requested_by: str
    reason: str
    alternative: str = ""


@dataclass
class Registry:
    metadata: dict
    approved: list[ApprovedEntry]
    pending_review: list[PendingEntry]
    denied: list[DeniedEntry]
    version_bump_policy: dict
    incident_response: dict


# ─── writing ────────────────────────────────────────────────────────────────────────


# The registry YAML is written by `to_yaml` below rather than by yaml.dump: PyYAML builds a
# Python node for every scalar first, which costs seconds for 5,000 approvals. Strings that
# could be read as anything else are written as JSON strings, which YAML reads as
# double-quoted scalars; tests load every output back and compare.
_IMPLICIT = re.compile(
    r"^(?:[-+]?\.?[0-9].*|[-+]?\.(?:inf|nan)|y|n|yes|no|true|false|on|off"
    r"|null|~|<<|=)$", re.IGNORECASE)
_PLAIN = re.compile(r"^[A-Za-z0-9_./$(][A-Za-z0-9_./$()+=,;'@ -]*$")


def _plain_ok(text: str) -> bool:
    return (bool(_PLAIN.fullmatch(text)) and not _IMPLICIT.fullmatch(text) and text[-1] != " "
            and " #" not in text and ": " not in text and text[-1] != ":")


# Characters YAML may not hold as they are (PyYAML's reader refuses them, or YAML 1.1
# reads them as line breaks): escape them.
_NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\xA0-\u2027\u202A-\uD7FF"
                            "\uE000-\uFFFD\U00010000-\U0010FFFF]")


def _yaml_escape(match) -> str:
    code = ord(match.group())
    return f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}" if code <= 0xFFFF else (
        f"\\U{code:08X}")


def _quoted(text: str) -> str:
    return _NON_PRINTABLE.sub(_yaml_escape, json.dumps(text, ensure_ascii=False))


def _scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, dt.date):
        return f'"{value.isoformat()}"'
    text = str(value)
    return text if text and _plain_ok(text) else _quoted(text)


def _block_text(text: str) -> bool:
    """Multi-line prose is written as a literal block when that is exact."""
    return ("\n" in text and text[0] not in " \t" and "\r" not in text and "\t" not in text
            and not text.endswith("\n\n") and text.strip("\n") != ""
            and not _NON_PRINTABLE.search(text)
            and all(line == line.rstrip() for line in text.split("\n")))


def _emit(value, indent: int, out: list[str]) -> None:
    pad = "  " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{pad}{_scalar(key)}:"
            if isinstance(item, dict | list) and item:
                out.append(head + "\n")
                _emit(item, indent + 1, out)
            elif isinstance(item, str) and _block_text(item):
                out.append(f"{head} |{'' if item.endswith(chr(10)) else '-'}\n")
                out.extend(f"{pad}  {line}\n" if line else "\n"
                           for line in item.rstrip("\n").split("\n"))
            else:
                out.append(f"{head} {_inline(item)}\n")
        return
    for item in value:
        if isinstance(item, dict | list) and item:
            lines: list[str] = []
            _emit(item, indent + 1, lines)
            out.append(f"{pad}- {lines[0].lstrip()}")
            out.extend(lines[1:])
        else:
            out.append(f"{pad}- {_inline(item)}\n")


def _inline(value) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


def to_yaml(document: dict) -> str:
    out: list[str] = []
    _emit(document, 0, out)
    return "".join(out)


def _date(value):
    return value if value else PLACEHOLDER_DATE


def approved_record(entry: ApprovedEntry) -> dict:
    record = {"name": entry.name, "version": entry.version, "source": entry.source}
    if entry.package and entry.package_registry in PACKAGE_KEYS:
        record[PACKAGE_KEYS[entry.package_registry]] = entry.package
    record.update(
        approved_by=entry.approved_by, approved_date=entry.approved_date, expires=entry.expires,
        data_scope=entry.data_scope, risk=entry.risk, rationale=entry.rationale,
    )
    if entry.restrictions:
        record["restrictions"] = list(entry.restrictions)
    record["config"] = entry.config
    return record


def pending_record(entry: PendingEntry) -> dict:
    record = {"name": entry.name}
    if entry.kind != "new_server":
        record["kind"] = entry.kind
    if entry.version:
        record["version"] = entry.version
    record.update(
        requested_by=entry.requested_by, requested_date=entry.requested_date,
        source=entry.source, use_case=entry.use_case,
        proposed_data_scope=entry.proposed_data_scope, status=entry.status,
    )
    if entry.reviewer:
        record["reviewer"] = entry.reviewer
    record["expected_decision"] = entry.expected_decision
    if entry.notes:
        record["notes"] = entry.notes
    if entry.config:
        record["config"] = entry.config
    return record


def denied_record(entry: DeniedEntry) -> dict:
    record = {"name": entry.name, "denied_date": entry.denied_date,
              "requested_by": entry.requested_by, "reason": entry.reason}
    if entry.alternative:
        record["alternative"] = entry.alternative
    return record


def registry_document(registry: Registry) -> dict:
    metadata = dict(registry.metadata)
    for key in ("last_reviewed", "next_review"):
        metadata[key] = _date(metadata.get(key))
    return {
        "metadata": metadata,
        "approved": [approved_record(e) for e in registry.approved],
        "pending_review": [pending_record(e) for e in registry.pending_review],
        "denied": [denied_record(e) for e in registry.denied],
        "version_bump_policy": registry.version_bump_policy,
        "incident_response": registry.incident_response,
    }


HEADER = (
    "# MCP Registry, exported by the MCP Governance Portal.\n"
    "# The portal is the source of truth: change it there, not in this file.\n\n"
)


def dump_registry_yaml(registry: Registry) -> str:
    return HEADER + to_yaml(registry_document(registry))


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


def managed_settings(approved: list[ApprovedEntry], denied: list[tuple[str, dict]]) -> dict:
    """managed-settings.json: an allowlist pinned by command or URL (never by name, which
    users choose), made authoritative, and a denylist of denied servers: by name, and by
    their exact command or URL where a person denied them. The denylist wins in the client,
    and anyone can file a request: a deny entry is never a pattern, never the name of an
    approved server and never one the client would apply to what the allowlist pins."""
    servers = deployable(approved)
    allowed = [allow_entry(e.config) for e in servers]
    approved_names = {e.name.lower() for e in servers}
    deny: list[dict] = []
    for name, config in sorted(denied, key=lambda d: d[0]):
        if name.lower() not in approved_names and CLIENT_SERVER_NAME.match(name):
            deny.append({"serverName": name})
        if not config:
            continue
        entry = allow_entry(config)
        if url_is_pattern(entry.get("serverUrl")) or entry in deny or any(
                client_matches(entry, pinned) for pinned in allowed):
            continue
        deny.append(entry)
    return {
        "allowManagedMcpServersOnly": True,
        "allowedMcpServers": allowed,
        "deniedMcpServers": deny,
    }


def dump_json(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# ─── reading ────────────────────────────────────────────────────────────────────────


class _Problems:
    def __init__(self):
        self.items: list[str] = []

    def add(self, where: str, message: str | None):
        if message:
            self.items.append(f"{where}: {message}")


def _where(section, index, entry, key=None):
    name = entry.get("name") if isinstance(entry, dict) else None
    label = f"{section}[{index}]" + (f" ({name})" if isinstance(name, str) else "")
    return f"{label}.{key}" if key else label


def _text(problems, where, entry, key, required=True, default=""):
    value = entry.get(key, None)
    if value is None:
        if required:
            problems.add(where(key), "is required")
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        problems.add(where(key), f"must be text, not {type(value).__name__}")
        return default
    return str(value)


def _parse_date(problems, where_key, value, *, required=True, placeholder_ok=False):
    if value is None or value == "":
        if required:
            problems.add(where_key, "is required (a date, YYYY-MM-DD)")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if placeholder_ok and value == PLACEHOLDER_DATE:
        return None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    problems.add(where_key, f"'{value}' is not a date: use YYYY-MM-DD, e.g. 2026-01-15")
    return None


def _mapping(problems, where_key, value):
    if not isinstance(value, dict):
        problems.add(where_key, f"must be a mapping, not {type(value).__name__}")
        return {}
    return value


def _list(problems, where_key, value):
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(where_key, f"must be a list, not {type(value).__name__}")
        return []
    return value


def _package(problems, where, entry):
    found = [(PACKAGE_REGISTRY_OF_KEY[k], entry[k]) for k in PACKAGE_KEYS.values() if k in entry]
    if len(found) > 1:
        problems.add(where("npm_package"), "give one of npm_package, pypi_package, oci_image")
    if found:
        registry, package = found[0]
        if not isinstance(package, str) or not package.strip():
            problems.add(where(PACKAGE_KEYS[registry]), "must be a package identifier")
            return "", ""
        problems.add(where(PACKAGE_KEYS[registry]), names.package_problem(package))
        return registry, package
    return "", ""


def _approved(problems, index, entry) -> ApprovedEntry | None:
    def where(key=None):
        return _where("approved", index, entry, key)

    name = _text(problems, where, entry, "name")
    problems.add(where("name"), names.name_problem(name) if name else None)
    version = _text(problems, where, entry, "version", required=False)
    problems.add(where("version"), versions.version_problem(version))
    source = _text(problems, where, entry, "source")
    problems.add(where("source"), names.source_problem(source) if source else None)
    registry, package = _package(problems, where, entry)
    approved_date = _parse_date(problems, where("approved_date"), entry.get("approved_date"))
    expires = _parse_date(problems, where("expires"), entry.get("expires"))
    if approved_date and expires and expires <= approved_date:
        problems.add(where("expires"), "must be after approved_date")
    scope = _text(problems, where, entry, "data_scope")
    problems.add(where("data_scope"), names.choice_problem(scope, routing.DATA_SCOPES,
                                                            "data scope") if scope else None)
    if scope == "RESTRICTED":
        problems.add(where("data_scope"), "RESTRICTED data is never approved for MCP access")
    risk = _text(problems, where, entry, "risk")
    problems.add(where("risk"), names.choice_problem(risk, routing.RISKS, "risk") if risk else None)
    restrictions = _list(problems, where("restrictions"), entry.get("restrictions"))
    if not all(isinstance(r, str) for r in restrictions):
        problems.add(where("restrictions"), "must be a list of sentences")
    config = _mapping(problems, where("config"), entry.get("config", {}))
    if config:
        for key, messages in configs.config_problems(
            config, version=version if not versions.version_problem(version) else "",
            package=package, package_registry=registry,
        ).items():
            for message in messages:
                problems.add(_where("approved", index, entry, key), message)
    else:
        problems.add(where("config"), "is required: command and args, or type and url")
    return ApprovedEntry(
        name=name, version=version, source=source, package_registry=registry, package=package,
        approved_by=_text(problems, where, entry, "approved_by"), approved_date=approved_date,
        expires=expires, data_scope=scope, risk=risk,
        rationale=_text(problems, where, entry, "rationale", required=False),
        restrictions=restrictions, config=config,
    )


def _pending(problems, index, entry) -> PendingEntry:
    def where(key=None):
        return _where("pending_review", index, entry, key)

    name = _text(problems, where, entry, "name")
    problems.add(where("name"), names.name_problem(name) if name else None)
    kind = _text(problems, where, entry, "kind", required=False, default="new_server")
    problems.add(where("kind"), names.choice_problem(
        kind, ("new_server", "version_bump", "renewal"), "kind"))
    version = _text(problems, where, entry, "version", required=False)
    if version or kind != "new_server":
        problems.add(where("version"), versions.version_problem(version))
    source = _text(problems, where, entry, "source", required=False)
    if source:
        problems.add(where("source"), names.source_problem(source))
    scope = _text(problems, where, entry, "proposed_data_scope")
    problems.add(where("proposed_data_scope"), names.choice_problem(
        scope, routing.DATA_SCOPES, "data scope") if scope else None)
    status = _text(problems, where, entry, "status")
    problems.add(where("status"), names.choice_problem(status, PENDING_STATUSES, "status")
                 if status else None)
    config = _mapping(problems, where("config"), entry.get("config", {}))
    if config:
        for key, messages in configs.config_problems(config, version=version).items():
            for message in messages:
                problems.add(_where("pending_review", index, entry, key), message)
    return PendingEntry(
        name=name, kind=kind, version=version,
        requested_by=_text(problems, where, entry, "requested_by"),
        requested_date=_parse_date(problems, where("requested_date"),
                                   entry.get("requested_date")),
        source=source, use_case=_text(problems, where, entry, "use_case"),
        proposed_data_scope=scope, status=status,
        reviewer=_text(problems, where, entry, "reviewer", required=False),
        expected_decision=_parse_date(problems, where("expected_decision"),
                                      entry.get("expected_decision")),
        notes=_text(problems, where, entry, "notes", required=False), config=config,
    )


def _denied(problems, index, entry) -> DeniedEntry:
    def where(key=None):
        return _where("denied", index, entry, key)

    name = _text(problems, where, entry, "name")
    problems.add(where("name"), names.name_problem(name) if name else None)
    return DeniedEntry(
        name=name,
        denied_date=_parse_date(problems, where("denied_date"), entry.get("denied_date")),
        requested_by=_text(problems, where, entry, "requested_by"),
        reason=_text(problems, where, entry, "reason"),
        alternative=_text(problems, where, entry, "alternative", required=False),
    )


BUMP_KEYS = ("requires", "approver", "turnaround")
METADATA_KEYS = ("organization", "review_cycle", "last_reviewed", "next_review", "owner",
                 "policy_doc")
INCIDENT_KEYS = ("report_to", "slack", "response_time_sla", "escalation")
SECTIONS = ("metadata", "approved", "pending_review", "denied", "version_bump_policy",
            "incident_response")


def _shape_problem(text: str, loader, max_depth: int) -> str | None:
    """Walk the parser's events, which builds nothing and recurses nowhere, and say where
    the document nests deeper than `max_depth` or expands past MAX_VALUES; None if neither.
    The loaders recurse on depth (a RecursionError traceback in pure Python), so this runs
    before anything is loaded."""
    total, open_collections, sizes = 0, [], {}
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            total += 1
            open_collections.append((event.anchor, total))
            if len(open_collections) > max_depth:
                return (f"line {event.start_mark.line + 1}: the document "
                        f"{limits.too_deep(max_depth)}; a registry needs a handful")
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, start = open_collections.pop()
            if anchor is not None:
                sizes[anchor] = total - start + 1
        elif isinstance(event, yaml.ScalarEvent):
            total += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for anchor, _ in open_collections):
                return (f"line {event.start_mark.line + 1}: *{event.anchor} refers to a "
                        "collection that contains it; a registry holds no recursive values")
            total += sizes.get(event.anchor, 1)
        if total > MAX_VALUES:
            return (f"line {event.start_mark.line + 1}: the document expands to more than "
                    f"{MAX_VALUES:,} values through its aliases (*anchor)")
    return None


def _load(text: str, max_depth: int):
    """(document, None) or (None, problem). Fast loader first; on a syntax error the
    pure-Python one reads the file again, so that problems keep their wording."""
    try:
        problem = _shape_problem(text, FastSafeLoader, max_depth)
        return (None, problem) if problem else (yaml.load(text, Loader=FastSafeLoader), None)
    except yaml.YAMLError:
        if FastSafeLoader is yaml.SafeLoader:
            raise
    problem = _shape_problem(text, yaml.SafeLoader, max_depth)
    return (None, problem) if problem else (yaml.load(text, Loader=yaml.SafeLoader), None)


def parse_registry(text: str, *, max_depth: int | None = None
                   ) -> tuple[Registry | None, list[str]]:
    """Parse and validate a registry YAML. Returns (registry, []) or (None, problems).
    A document nested deeper than `max_depth` (INPUT_MAX_DEPTH) is refused unread."""
    problems = _Problems()
    max_depth = limits.max_depth() if max_depth is None else max_depth
    try:
        document, problem = _load(text, max_depth)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        return None, [f"{where}: the file is not valid YAML ({getattr(exc, 'problem', exc)})"]
    if problem:
        return None, [problem]
    # PostgreSQL refuses NUL in text: a "\0" escape anywhere is refused with its place.
    nul = [f"{where or 'file'}: {message}" for where, message in limits.value_problems(
        document, limit=max_depth)]
    if nul:
        return None, nul
    if not isinstance(document, dict):
        return None, ["file: must be a mapping with the sections " + ", ".join(SECTIONS)]
    for key in document:
        if key not in SECTIONS:
            problems.add(str(key), f"unknown section; the sections are {', '.join(SECTIONS)}")

    metadata = _mapping(problems, "metadata", document.get("metadata") or {})
    meta = {}
    for key in METADATA_KEYS:
        if key in ("last_reviewed", "next_review"):
            meta[key] = _parse_date(problems, f"metadata.{key}", metadata.get(key),
                                    required=False, placeholder_ok=True)
        else:
            meta[key] = _text(problems, lambda k: f"metadata.{k}", metadata, key,
                              required=key in ("organization", "owner"))
    for key in metadata:
        if key not in METADATA_KEYS:
            problems.add(f"metadata.{key}", "unknown key")

    sections = {}
    for section, parse in (("approved", _approved), ("pending_review", _pending),
                           ("denied", _denied)):
        entries = []
        for index, entry in enumerate(_list(problems, section, document.get(section))):
            if not isinstance(entry, dict):
                problems.add(f"{section}[{index}]", "must be a mapping")
                continue
            entries.append(parse(problems, index, entry))
        sections[section] = entries
    _duplicates(problems, "approved", [(e.name,) for e in sections["approved"]])
    _duplicates(problems, "pending_review",
                [(e.name, e.version) for e in sections["pending_review"]])
    _duplicates(problems, "denied", [(e.name,) for e in sections["denied"]])

    bump_policy = {}
    raw_bumps = _mapping(problems, "version_bump_policy", document.get("version_bump_policy")
                         or {})
    for level in versions.BUMP_LEVELS:
        rule = _mapping(problems, f"version_bump_policy.{level}", raw_bumps.get(level) or {})
        values = {k: _text(problems, lambda k, lv=level: f"version_bump_policy.{lv}.{k}", rule, k)
                  for k in BUMP_KEYS}
        problems.add(f"version_bump_policy.{level}.approver",
                     routing.role_list_problem(values["approver"]) if values["approver"] else None)
        problems.add(f"version_bump_policy.{level}.requires",
                     routing.evidence_problem(values["requires"]))
        if values["turnaround"] and routing.parse_turnaround(values["turnaround"]) is None:
            problems.add(f"version_bump_policy.{level}.turnaround", routing.TURNAROUND_RULE)
        bump_policy[level] = values
    for key in raw_bumps:
        if key not in versions.BUMP_LEVELS:
            problems.add(f"version_bump_policy.{key}", "unknown level: use patch, minor, major")

    raw_incident = _mapping(problems, "incident_response", document.get("incident_response")
                            or {})
    incident = {k: _text(problems, lambda k: f"incident_response.{k}", raw_incident, k,
                         required=k == "report_to") for k in INCIDENT_KEYS}
    if problems.items:
        return None, problems.items
    return Registry(meta, sections["approved"], sections["pending_review"], sections["denied"],
                    bump_policy, incident), []


def _duplicates(problems, section, keys):
    seen = {}
    for index, key in enumerate(keys):
        if key in seen:
            label = " ".join(k for k in key if k)
            problems.add(f"{section}[{index}] ({key[0]}).name",
                         f"duplicate of {section}[{seen[key]}]: '{label}' appears twice")
        else:
            seen[key] = index
