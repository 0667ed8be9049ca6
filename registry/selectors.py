"""Queries the pages, the API, the exporter and the jobs share. Each runs a fixed number of
queries, whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from governance.models import IncidentResponse, Organisation
from governance.selectors import current_policy

from . import formats
from .models import Approval, ExportSnapshot, RegistryRevision, Server, in_force, is_current

APPROVED_FIELDS = ("server__name", "version", "server__source", "server__package_registry",
                   "server__package", "approved_by", "approved_date", "expires", "data_scope",
                   "risk", "rationale", "restrictions", "config")


def _approved_entry(row) -> formats.ApprovedEntry:
    (name, version, source, package_registry, package, approved_by, approved_date, expires,
     data_scope, risk, rationale, restrictions, config) = row
    return formats.ApprovedEntry(
        name=name, version=version, source=source, package_registry=package_registry,
        package=package, approved_by=approved_by, approved_date=approved_date, expires=expires,
        data_scope=data_scope, risk=risk, rationale=rationale, restrictions=restrictions,
        config=config,
    )


def _email(user) -> str:
    return (user.email or user.get_username()) if user else ""


def registry_contents(today: dt.date | None = None):
    """Everything the exports hold, read in a constant number of queries.

    Returns (registry, deployable approved entries, denied (name, config) pairs)."""
    from approvals.models import OPEN_STATUSES, Request, RequestStatus, SignOff

    today = today or timezone.localdate()
    # Oldest approval first and newest denial first, as the template lists them.
    approved = [_approved_entry(row) for row in Approval.objects.active()
                .order_by("approved_date", "server__name").values_list(*APPROVED_FIELDS)]
    deployable = [e for e in approved if in_force(Approval.Status.ACTIVE, e.expires, today)]

    pending = []
    open_requests = (
        Request.objects.filter(status__in=OPEN_STATUSES)
        .select_related("server", "requester", "reviewer")
        .order_by("requested_at", "id")
    )
    for r in open_requests:
        pending.append(formats.PendingEntry(
            name=r.server.name, kind=r.kind, version=r.version,
            requested_by=_email(r.requester),
            requested_date=timezone.localtime(r.requested_at).date(),
            source=r.source or r.server.source, use_case=r.use_case,
            proposed_data_scope=r.proposed_data_scope, status=r.status,
            reviewer=_email(r.reviewer),
            expected_decision=timezone.localtime(r.expected_decision).date(),
            notes=r.notes, config=r.config,
        ))

    has_active = Approval.objects.active().filter(server=OuterRef("server"))
    # A denial decided by a person may put the denied command or URL on the denylist; an
    # automatic one (RESTRICTED data) only its name: anyone can file that, with any config.
    denied_by_person = SignOff.objects.filter(request=OuterRef("pk"), decision="deny")
    denials = (
        Request.objects.filter(status=RequestStatus.DENIED)
        .exclude(Exists(has_active))
        .annotate(by_person=Exists(denied_by_person))
        .select_related("server", "requester")
        .order_by("-decided_at", "server__name", "-id")
    )
    denied, denied_configs, seen = [], [], set()
    for r in denials:
        if r.server.name in seen:
            continue
        seen.add(r.server.name)
        denied.append(formats.DeniedEntry(
            name=r.server.name,
            denied_date=timezone.localtime(r.decided_at).date() if r.decided_at else today,
            requested_by=_email(r.requester), reason=r.denial_reason,
            alternative=r.denial_alternative,
        ))
        denied_configs.append((r.server.name, r.config if r.by_person else {}))

    org = Organisation.load()
    incident = IncidentResponse.load()
    pol = current_policy()
    bump_policy = {
        level: {"requires": rule.requires, "approver": rule.approver,
                "turnaround": rule.turnaround}
        for level, rule in pol.bump_rules.items()
    }
    registry = formats.Registry(
        metadata={key: getattr(org, key) for key in formats.METADATA_KEYS},
        approved=approved, pending_review=pending, denied=denied,
        version_bump_policy=bump_policy,
        incident_response={key: getattr(incident, key) for key in formats.INCIDENT_KEYS},
    )
    return registry, deployable, denied_configs, min(
        (e.expires for e in deployable), default=None)


def _newest_snapshots():
    return ExportSnapshot.objects.order_by("-created_at", "-id")


def latest_snapshot() -> ExportSnapshot | None:
    return _newest_snapshots().first()


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


def export_state() -> ExportState:
    """One cheap single-row read: what the serve path and the check API key on."""
    row = RegistryRevision.objects.filter(pk=1).values_list(
        "number", "cause", "changed_at", "exported", "snapshot_id", "file_sha256",
        "valid_until").first()
    return ExportState(*row) if row else ExportState()


def catalog(*, search: str = "", status: str = "", risk: str = "", scope: str = "",
            today: dt.date | None = None):
    """Servers with their active approval and open requests; filter by the catalog status
    (active, pending, denied, expired), risk and data scope. An approval past its expiry is
    not the server's active one, even before the nightly job has marked it expired."""
    from approvals.models import OPEN_STATUSES, Request, RequestStatus

    today = today or timezone.localdate()
    deployable = Approval.objects.deployable(today)
    open_qs = Request.objects.filter(status__in=OPEN_STATUSES)
    qs = Server.objects.annotate(
        has_active=Exists(deployable.filter(server=OuterRef("pk"))),
        has_lapsed=Exists(Approval.objects.lapsed(today).filter(server=OuterRef("pk"))),
        has_open=Exists(open_qs.filter(server=OuterRef("pk"))),
        has_denial=Exists(Request.objects.filter(server=OuterRef("pk"),
                                                 status=RequestStatus.DENIED)),
    ).prefetch_related(
        Prefetch("approvals", queryset=deployable, to_attr="active_approvals"),
        Prefetch("requests", queryset=open_qs.order_by("expected_decision"),
                 to_attr="open_requests"),
    )
    if search:
        qs = qs.filter(name__icontains=search)
    if status == "active":
        qs = qs.filter(has_active=True)
    elif status == "pending":
        qs = qs.filter(has_open=True)
    elif status == "denied":
        qs = qs.filter(has_denial=True, has_active=False)
    elif status == "expired":
        qs = qs.filter(has_lapsed=True, has_active=False)
    if risk:
        qs = qs.filter(Exists(deployable.filter(server=OuterRef("pk"), risk=risk)))
    if scope:
        qs = qs.filter(Exists(deployable.filter(server=OuterRef("pk"), data_scope=scope)))
    return qs.order_by("name")


def active_approval(server) -> Approval | None:
    """The server's active approval, from the prefetch of `catalog()`."""
    return server.active_approvals[0] if server.active_approvals else None


def catalog_status(server) -> str:
    """A server's state in the catalog, from the annotations of `catalog()`: active wins,
    then pending, then denied, then expired; "none" for a server with none of them."""
    if server.has_active:
        return "active"
    if server.has_open:
        return "pending"
    if server.has_denial:
        return "denied"
    if server.has_lapsed:
        return "expired"
    return "none"


def expiring_approvals(*, within_days: int, today: dt.date | None = None):
    today = today or timezone.localdate()
    return Approval.objects.deployable(today).filter(
        expires__lte=today + dt.timedelta(days=within_days)
    ).select_related("server").order_by("expires")
