"""The registry YAML read back: parsed and validated into records, with every problem
located by entry and field (an import changes nothing unless the file is clean)."""

from __future__ import annotations

import datetime as dt

import yaml

from governance import limits
from governance.policy import configs, names, routing, tools, versions

from .records import (
    BUMP_KEYS,
    INCIDENT_KEYS,
    METADATA_KEYS,
    PACKAGE_KEYS,
    PACKAGE_REGISTRY_OF_KEY,
    PENDING_STATUSES,
    PLACEHOLDER_DATE,
    SECTIONS,
    ApprovedEntry,
    DeniedEntry,
    PendingEntry,
    Registry,
)
from .yaml_loading import load_yaml


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
    excluded = entry.get("excluded_tools")
    for message in tools.excluded_tools_problems(excluded):
        problems.add(where("excluded_tools"), message)
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
        excluded_tools=tools.clean_excluded_tools(excluded if isinstance(excluded, list) else []),
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


def parse_registry(text: str, *, max_depth: int | None = None
                   ) -> tuple[Registry | None, list[str]]:
    """Parse and validate a registry YAML. Returns (registry, []) or (None, problems).
    A document nested deeper than `max_depth` (INPUT_MAX_DEPTH) is refused unread."""
    problems = _Problems()
    max_depth = limits.max_depth() if max_depth is None else max_depth
    try:
        document, problem = load_yaml(text, max_depth)
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
