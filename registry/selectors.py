"""Queries the pages, the API, the exporter and the jobs share. Each runs a fixed number of
queries, whatever the number of rows."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import NamedTuple

import orjson
from django.db.models import BooleanField, ExpressionWrapper, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from governance.compiled import CompiledRead
from governance.expressions import digest_of
from governance.models import IncidentResponse, Organisation
from governance.read_ahead import read_ahead
from governance.selectors import current_policy

from . import formats, workflow
from .models import Approval, ExportSnapshot, RegistryRevision, in_force, is_current

APPROVED_FIELDS = ("server__name", "version", "server__source", "server__package_registry",
                   "server__package", "approved_by", "approved_date", "expires", "data_scope",
                   "risk", "rationale", "restrictions", "config", "excluded_tools")

# The export reads the approvals in chunks of this many rows (a server-side cursor on
# PostgreSQL), their JSON columns as text decoded by orjson (in C; Django's JSONField
# decodes each value with the standard library's json, several times slower).
EXPORT_CHUNK = 2000
_ENTRY_COLUMNS = ("server__name", "version", "server__source", "approved_by", "approved_date",
                  "expires", "data_scope", "risk", "rationale", "server__package_registry",
                  "server__package", "restrictions_text", "config_text",
                  "excluded_tools_text")  # ApprovedEntry's order
# orjson reads an integer beyond 64 bits as a float, and refuses NaN: such text is read by
# json, as the JSONField would read it.
_LONG_NUMBER = re.compile(r"[0-9]{19}")


def _json(text):
    if text is None or _LONG_NUMBER.search(text):
        return None if text is None else json.loads(text)
    return _json_short(text)


def _json_short(text):
    """`_json` of a text known to hold no long number."""
    if text is None:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


class ExportRow(NamedTuple):
    """An active approval as the export reads it: its entry, whether it is in force, and
    what registry.services.fragments needs to take its YAML from the last build."""

    entry: formats.ApprovedEntry
    in_force: bool
    approval_id: int
    source: str  # the SHA-256 of the values the entry is written from (`digest_of`)
    kept_text: str | None
    kept_seal: bytes | None


def approved_entries(today: dt.date):
    """The active approvals as ExportRows, oldest approval first as the template lists
    them: one query, read a chunk at a time."""
    rows = (Approval.objects.active().order_by("approved_date", "server__name")
            .annotate(restrictions_text=Cast("restrictions", TextField()),
                      config_text=Cast("config", TextField()),
                      excluded_tools_text=Cast("excluded_tools", TextField()))
            .annotate(long_number=ExpressionWrapper(
                Q(restrictions_text__regex=_LONG_NUMBER.pattern)
                | Q(config_text__regex=_LONG_NUMBER.pattern)
                | Q(excluded_tools_text__regex=_LONG_NUMBER.pattern),
                output_field=BooleanField()))
            .annotate(source=digest_of(*_ENTRY_COLUMNS))
            .values_list(*_ENTRY_COLUMNS, "pk", "export_fragment__text",
                         "export_fragment__seal", "long_number", "source"))
    status, entry = Approval.Status.ACTIVE, formats.ApprovedEntry
    # Which JSON text has a long number, and the digest of the values an entry is written
    # from, the database works out (in its own process, while this one writes the last
    # chunk's entries): both here cost a fifth of a build.
    for chunk in read_ahead(rows.iterator(chunk_size=EXPORT_CHUNK), EXPORT_CHUNK):
        for *values, pk, kept_text, kept_seal, long_number, source in chunk:
            decode = _json if long_number else _json_short
            item = entry(*values[:11], *map(decode, values[11:]))
            yield ExportRow(item, in_force(status, item.expires, today), pk, source,
                            kept_text, kept_seal)


def export_sections(today: dt.date) -> tuple[formats.Registry, list[tuple[str, dict]]]:
    """Every section of the registry but `approved` (left empty: `approved_entries`), and
    the denied (name, config) pairs of the denylist, in a constant number of queries."""
    # The requests' part (pending_review, denied, the denylist's entries) is the workflow's.
    sections = workflow.current().registry_sections(today)
    org = Organisation.load()
    incident = IncidentResponse.load()
    policy = current_policy()
    bump_policy = {
        level: {"requires": rule.requires, "approver": rule.approver,
                "turnaround": rule.turnaround}
        for level, rule in policy.bump_rules.items()
    }
    registry = formats.Registry(
        metadata={key: getattr(org, key) for key in formats.METADATA_KEYS},
        approved=[], pending_review=sections.pending, denied=sections.denied,
        version_bump_policy=bump_policy,
        incident_response={key: getattr(incident, key) for key in formats.INCIDENT_KEYS},
    )
    return registry, sections.denied_configs


def _newest_snapshots():
    return ExportSnapshot.objects.order_by("-created_at", "-id")


def latest_snapshot() -> ExportSnapshot | None:
    return _newest_snapshots().first()


def latest_snapshot_head() -> ExportSnapshot | None:
    """The newest snapshot's id and hashes, without its files."""
    return _newest_snapshots().only("sha256", "file_sha256").first()


@dataclass(frozen=True)
class ExportState:
    """The registry revision and the snapshot the files are served from (one row)."""

    number: int = 0
    cause: str = ""
    changed_at: dt.datetime | None = None
    exported: int = 0
    snapshot_id: int | None = None
    file_sha256: dict | None = None
    valid_until: dt.date | None = None

    def is_current(self, today: dt.date | None = None) -> bool:
        return is_current(number=self.number, exported=self.exported,
                          snapshot_id=self.snapshot_id, valid_until=self.valid_until,
                          today=today)


_EXPORT_STATE = CompiledRead(lambda: RegistryRevision.objects.filter(pk=1).values_list(
    "number", "cause", "changed_at", "exported", "snapshot_id", "file_sha256", "valid_until"))


def export_state() -> ExportState:
    """One cheap single-row read: what the serve path and the check API key on (every 304
    of the export files and every check: compiled once, `CompiledRead`)."""
    rows = _EXPORT_STATE.rows()
    return ExportState(*rows[0]) if rows else ExportState()


# The policy in force, read once per registry revision: an edit of a policy row moves the
# revision (registry.services.revision.policy_edited), so an entry is never stale. Keyed on
# the number and the time of the change: a number that a rolled-back change had taken can
# come again with another change. One slot replaced whole, so that a thread never reads
# a half-written entry.
_policy: list = [None]


def policy_in_force():
    """`current_policy()` for what runs on every page (the count of what waits on the
    reader) and pages that show many requests' routes (the review queue): one read of the
    revision instead of the four of the policy's rows."""
    state = export_state()
    key = (state.number, state.changed_at)
    held = _policy[0]
    if held is None or held[0] != key:
        held = _policy[0] = (key, current_policy())
    return held[1]


def forget_policy():
    """Drop the policy read (tests: their rollbacks put the revision back)."""
    _policy[0] = None


def expiring_approvals(*, within_days: int, today: dt.date | None = None):
    today = today or timezone.localdate()
    return Approval.objects.deployable(today).filter(
        expires__lte=today + dt.timedelta(days=within_days)
    ).select_related("server").order_by("expires")
