"""The registry YAML (mcp-registry.yaml) written from the records, in the template's order."""

from __future__ import annotations

from .records import (
    PACKAGE_KEYS,
    PLACEHOLDER_DATE,
    ApprovedEntry,
    DeniedEntry,
    PendingEntry,
    Registry,
)
from .yaml_emitter import list_of_mappings, to_yaml


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
    if entry.excluded_tools:
        record["excluded_tools"] = list(entry.excluded_tools)
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


def document_parts(registry: Registry) -> tuple[dict, dict]:
    """The sections before and after `approved`."""
    metadata = dict(registry.metadata)
    for key in ("last_reviewed", "next_review"):
        metadata[key] = _date(metadata.get(key))
    return {"metadata": metadata}, {
        "pending_review": [pending_record(e) for e in registry.pending_review],
        "denied": [denied_record(e) for e in registry.denied],
        "version_bump_policy": registry.version_bump_policy,
        "incident_response": registry.incident_response,
    }


def registry_document(registry: Registry) -> dict:
    head, tail = document_parts(registry)
    return {**head, "approved": [approved_record(e) for e in registry.approved], **tail}


HEADER = (
    "# MCP Registry, exported by the MCP Governance Portal.\n"
    "# The portal is the source of truth: change it there, not in this file.\n\n"
)


def dump_registry_yaml(registry: Registry) -> str:
    """The file `to_yaml(registry_document(...))` would write, with the approved entries,
    which are nearly all of it at scale, written one at a time."""
    head, tail = document_parts(registry)
    return "".join((HEADER, to_yaml(head), list_of_mappings(
        "approved", map(approved_record, registry.approved)), to_yaml(tail)))
