"""The records the files are made of and read into: plain dataclasses, and the keys and
sections of the registry YAML (SPEC §6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

PLACEHOLDER_DATE = "YYYY-MM-DD"
PACKAGE_KEYS = {"npm": "npm_package", "pypi": "pypi_package", "oci": "oci_image"}
PACKAGE_REGISTRY_OF_KEY = {key: registry for registry, key in PACKAGE_KEYS.items()}
PENDING_STATUSES = ("under_review", "sandbox_trial", "awaiting_security", "needs_info")
BUMP_KEYS = ("requires", "approver", "turnaround")
METADATA_KEYS = ("organization", "review_cycle", "last_reviewed", "next_review", "owner",
                 "policy_doc")
INCIDENT_KEYS = ("report_to", "slack", "response_time_sla", "escalation")
SECTIONS = ("metadata", "approved", "pending_review", "denied", "version_bump_policy",
            "incident_response")


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
    excluded_tools: list = field(default_factory=list)


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
