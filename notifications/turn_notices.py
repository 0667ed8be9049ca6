"""Whose turn it is: every person whose role a request's route still needs is told once,
by mail, the chat and in the portal, when the request waits on their sign-off (issue 11).
Told again only after the earlier sign-offs were set aside (an edit, a new
classification), which starts the round anew. A delegate signing for a holder of the role
that day is told too, in a notice of their own (issue 15 §2): when the request comes to
wait on the role, or, for a request waiting already, by the reconciling run once the
delegation is in force (delegate_turns)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts import delegations
from accounts.models import Delegation
from approvals import services as workflow
from approvals.models import SIGNABLE_STATUSES, Request, SignOff
from approvals.waiting import waiting_for

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
    signed = workflow.signed_by(signoffs) | {request.requester_id}
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
        lines = _lines(request, route, role, name, requester)
        notices.append(Notice(
            key=f"turn:{request.pk}:{role}:{round_}", kind=Notification.Kind.SIGNOFF_WAITING,
            subject=f"Waiting for your sign-off as {role}: request #{request.pk} ({name})",
            body="\n".join(lines), link=request_path(request.pk), recipients=people,
            request_id=request.pk, to_chat=True))
    for grant in _delegations_in_force(missing, holders, signed):
        delegator = grant.delegator.get_username()
        notices.append(Notice(
            key=f"turn:{request.pk}:{grant.role}:{round_}:d{grant.pk}",
            kind=Notification.Kind.SIGNOFF_WAITING,
            subject=f"Waiting for your sign-off as {grant.role} on behalf of {delegator}: "
                    f"request #{request.pk} ({name})",
            body="\n".join(_lines(request, route, grant.role, name, requester, grant)),
            link=request_path(request.pk), recipients={grant.delegate_id},
            request_id=request.pk, to_chat=False))
    return notices


def _lines(request, route, role, name, requester, grant=None) -> list[str]:
    lines = [f"Request #{request.pk} ({name}) needs a sign-off as {role}."]
    if grant is not None:
        lines.append(f"{grant.delegator.get_username()} delegated their {role} sign-offs to "
                     f"you until {grant.ends:%Y-%m-%d}: you sign on their behalf.")
    lines += [f"Route: {route.basis} (required: {', '.join(route.required_roles)})",
              f"Due: {request.expected_decision:%Y-%m-%d %H:%M}",
              f"Requested by: {requester.get_full_name() or requester.get_username()}"]
    if route.evidence:
        lines += ["", "Evidence: " + "; ".join(route.describe_evidence())]
    return lines


def _delegations_in_force(missing, holders, signed) -> list[Delegation]:
    """The delegations in force today from a holder of a missing role who may still sign
    (not the requester, not signed), to a delegate who may (the same)."""
    today = timezone.localdate()
    found = delegations.with_delegator_holding(Delegation.objects.filter(
        role__in=missing, ended_at__isnull=True, starts__lte=today, ends__gte=today,
        delegate__is_active=True)).select_related("delegator").order_by("pk")
    return [d for d in found if d.delegator_holds_role and d.delegator_id in holders[d.role]
            and d.delegator_id not in signed and d.delegate_id not in signed]


def delegate_turns() -> list[str]:
    """For each delegation in force today, the turn notices of the requests waiting on
    its delegator's role that its delegate has not had (the reconciling run calls it, so a
    delegate is told once the delegation starts). Returns the keys recorded."""
    today = timezone.localdate()
    keys = []
    users = get_user_model().objects.filter(pk__in=delegations.delegates_today(today))
    for delegate in users:
        for request in waiting_for(delegate).select_related("server", "requester"):
            keys += list(record_turns(request))
    return keys


def record_turns(request: Request) -> dict[str, set[int]]:
    """Record the turn notices not told yet; returns the key of each it recorded, with the
    people it tells."""
    notices = turn_notices(request)
    people = {n.key: n.recipients for n in notices}
    return {row.key: people[row.key] for row in record(notices)}
