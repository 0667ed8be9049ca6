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
        # Plain rows, not model instances: a registry lists every open request.
        zone = timezone.get_current_timezone()
        open_requests = (
            Request.objects.filter(status__in=OPEN_STATUSES)
            .order_by("requested_at", "id")
            .values_list("server__name", "kind", "version", "requester__email",
                         "requester__username", "requested_at", "source", "server__source",
                         "use_case", "proposed_data_scope", "status", "reviewer__email",
                         "reviewer__username", "expected_decision", "notes", "config")
        )
        pending = [
            formats.PendingEntry(
                name=name, kind=kind, version=version,
                requested_by=requester_email or requester_name,
                requested_date=requested_at.astimezone(zone).date(),
                source=source or server_source, use_case=use_case,
                proposed_data_scope=proposed_data_scope, status=status,
                reviewer=(reviewer_email or reviewer_name or ""),
                expected_decision=expected_decision.astimezone(zone).date(),
                notes=notes, config=config,
            )
            for (name, kind, version, requester_email, requester_name, requested_at, source,
                 server_source, use_case, proposed_data_scope, status, reviewer_email,
                 reviewer_name, expected_decision, notes, config) in open_requests
        ]

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
