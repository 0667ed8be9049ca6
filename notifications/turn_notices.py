"""Whose turn it is: every person whose role a request's route still needs is told once,
by mail, the chat and in the portal, when the request waits on their sign-off (issue 11).
Told again only after the earlier sign-offs were set aside (an edit, a new
classification), which starts the round anew."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from approvals import services as workflow
from approvals.models import SIGNABLE_STATUSES, Request, SignOff

from .models import Notification
from .records import Notice, record, request_path


def turn_notices(request: Request) -> list[Notice]:
    """One notice per role the route still needs, to its holders who may sign it (never
    the requester, nobody who signed already)."""
    if request.status not in SIGNABLE_STATUSES:
        return []
    route = workflow.route_of(request)
    signoffs = list(SignOff.objects.filter(request=request))
    missing = workflow.missing_roles(route, signoffs)
    if not missing:
        return []
    signed = {s.user_id for s in signoffs} | {request.requester_id}
    holders: dict[str, set[int]] = {role: set() for role in missing}
    for user_id, role in get_user_model().objects.filter(
            is_active=True, groups__name__in=missing).values_list("pk", "groups__name"):
        holders[role].add(user_id)
    round_ = SignOff.all_objects.filter(request=request, stale=True).count()
    requester = request.requester
    name = f"{request.server.name} {request.version}".strip()
    notices = []
    for role in missing:
        people = holders[role] - signed
        if not people:
            continue
        lines = [f"Request #{request.pk} ({name}) needs a sign-off as {role}.",
                 f"Route: {route.basis} (required: {', '.join(route.required_roles)})",
                 f"Due: {request.expected_decision:%Y-%m-%d %H:%M}",
                 f"Requested by: {requester.get_full_name() or requester.get_username()}"]
        if route.evidence:
            lines += ["", "Evidence: " + "; ".join(route.describe_evidence())]
        notices.append(Notice(
            key=f"turn:{request.pk}:{role}:{round_}", kind=Notification.Kind.SIGNOFF_WAITING,
            subject=f"Waiting for your sign-off as {role}: request #{request.pk} ({name})",
            body="\n".join(lines), link=request_path(request.pk), recipients=people,
            request_id=request.pk, to_chat=True))
    return notices


def record_turns(request: Request) -> dict[str, set[int]]:
    """Record the turn notices not told yet; returns the key of each it recorded, with the
    people it tells."""
    notices = turn_notices(request)
    people = {n.key: n.recipients for n in notices}
    return {row.key: people[row.key] for row in record(notices)}
