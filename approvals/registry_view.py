"""What the registry's outputs show of the requests (registry.workflow asks, this answers):
the pending_review and denied entries of the registry document with the denylist's
entries, and the denials and open requests the check API names. Registered when Django
starts (approvals.apps)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import timezone

from registry import formats
from registry.models import Approval
from registry.workflow import CheckRows, RequestSections

from .models import OPEN_STATUSES, Request, RequestStatus, SignOff


def _email(user) -> str:
    return (user.email or user.get_username()) if user else ""


class RegistryView:
    def registry_sections(self, today: dt.date) -> RequestSections:
        """A constant number of queries, whatever the number of requests."""
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
        return RequestSections(pending=pending, denied=denied, denied_configs=denied_configs)

    def check_rows(self, server_ids=None) -> CheckRows:
        denied = Request.objects.filter(status=RequestStatus.DENIED)
        open_requests = Request.objects.filter(status__in=OPEN_STATUSES)
        if server_ids is not None:
            denied = denied.filter(server_id__in=server_ids)
            open_requests = open_requests.filter(server_id__in=server_ids)
        return CheckRows(
            denials=list(denied.values_list(
                "id", "server_id", "config", "denial_reason", "denial_alternative").order_by(
                "decided_at", "id")),
            open_requests=list(open_requests.values_list(
                "id", "server_id", "version", "status")))

    def denied_runs(self) -> list[tuple[int, dict]]:
        return list(Request.objects.filter(status=RequestStatus.DENIED).values_list(
            "server_id", "config").order_by("decided_at", "id"))
