"""Open bumps and renewals follow their server's active approval (SPEC §4 rule 4): when it
changes (a bump or renewal approved, an import, a revocation, an expiry), each one is
classified again against the new approval at once, or withdrawn by the system where that
is impossible. The one function the registry's signal, and any other change of the active
approval (identity, capabilities, delegation), calls."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from audit.actors import acting_as, system_user
from governance.policy import routing, versions
from registry.models import Approval, Server

from ..models import Request, RequestKind
from .steps import (
    classify_bump,
    lock_request,
    make_move,
    mark_registry_changed,
    queue_notice,
    record_event,
    route_of,
    set_signoffs_aside,
)

FOLLOWERS = (RequestKind.VERSION_BUMP, RequestKind.RENEWAL)


@transaction.atomic
def reroute_open_requests(*, server: Server | int, actor=None) -> list[Request]:
    """Classify every open bump and renewal of `server` against its active approval now.

    A bump still newer than the active version is re-based on it and classified again;
    if its level changes it takes the new route (new due date) and the sign-offs given
    before are set aside. A renewal of the version now active is re-based. Anything else
    (no active approval any more, a bump no newer than the active version, a renewal of a
    version that is no longer the active one) is withdrawn by the system with the reason,
    and its requester told. Locks the server, then the requests, as every change does.
    Returns the requests it changed."""
    server_id = server.pk if isinstance(server, Server) else server
    Server.objects.select_for_update(of=("self",)).filter(pk=server_id).first()
    active = Approval.objects.filter(server_id=server_id,
                                     status=Approval.Status.ACTIVE).first()
    stale = (Request.objects.select_for_update(of=("self",)).open()
             .filter(server_id=server_id, kind__in=FOLLOWERS)
             .select_related("server", "base_approval").order_by("pk"))
    if active is not None:
        stale = stale.exclude(base_approval=active)
    changed = list(stale)
    if not changed:
        return []
    actor = actor or system_user()
    with acting_as(actor):
        for request in changed:
            problem = _why_it_cannot_follow(request, active)
            if problem:
                _withdraw_by_system(request, actor, problem)
            else:
                _reclassify(request, actor, active)
        mark_registry_changed(changed[0], "re-classified after the active approval changed")
    return changed


def reroute_on_change(sender, *, server_ids, actor=None, **kwargs) -> None:
    """Receiver of registry.signals.active_approval_changed. Only the servers with an open
    bump or renewal have anything to follow (one query finds them), so an import of
    thousands of approvals costs one query here, not one per server."""
    following = set(Request.objects.open().filter(kind__in=FOLLOWERS)
                    .values_list("server_id", flat=True).distinct())
    for server_id in sorted(following.intersection(server_ids)):
        reroute_open_requests(server=server_id, actor=actor)


def _why_it_cannot_follow(request: Request, active: Approval | None) -> str:
    name = request.server.name
    base = request.base_approval
    if active is None:
        was = f"{name} {base.version} was {base.status}" if base else "its approval ended"
        return (f"{was} and {name} has no active approval now, so there is nothing to "
                f"classify this {request.get_kind_display().lower()} against: file a new "
                "request for the server")
    if request.kind == RequestKind.RENEWAL and request.version != active.version:
        return (f"{name} {active.version} was approved since this renewal of "
                f"{request.version} was filed, so {request.version} is no longer the "
                f"approved version to renew (renew {active.version} when it is due)")
    if request.kind == RequestKind.VERSION_BUMP and versions.not_newer(request.version,
                                                                       active.version):
        return (f"{name} {active.version} was approved since this request was filed, and "
                f"{request.version} is not newer than it, so it is no longer a bump")
    return ""


def _route_change(request: Request, old_level: str) -> str:
    """The new route of a bump whose level changed (a new due date), as the event says it."""
    if request.bump_level == old_level:
        return f": still a {request.bump_level} bump"
    route = route_of(request)
    request.expected_decision = request.requested_at + route.turnaround
    return (f": a {request.bump_level} bump now (was {old_level or 'unclassified'}), routed "
            f"to {' + '.join(route.required_roles)} ({request.bump_reason})")


@transaction.atomic
def reroute_after_inspection(*, request: Request | int, actor=None) -> Request:
    """The inspection's outcome is in: a bump whose capability change raises (or no longer
    raises) its level is routed again, as after a material change (the sign-offs given
    before are set aside). The reroute the inspector's job calls."""
    request = lock_request(request)
    if not request.is_open or request.kind != RequestKind.VERSION_BUMP or (
            request.base_approval is None):
        return request
    old_level = request.bump_level
    level, why = classify_bump(request, request.base_approval)
    if level == old_level:
        return request
    actor = actor or system_user()
    with acting_as(actor):
        request.bump_level, request.bump_reason = level, why
        detail = "re-classified after the capability inspection" + _route_change(request,
                                                                                 old_level)
        request.save()
        record_event(request, actor, "reclassified", detail=detail)
        set_signoffs_aside(actor, request, "the capability inspection")
        queue_notice(request, "reclassified")
        mark_registry_changed(request, "re-classified after its inspection")
    return request


def _withdraw_by_system(request: Request, actor, reason: str) -> None:
    before = request.status
    make_move(request, "withdraw")
    request.decided_at = timezone.now()
    request.save()
    record_event(request, actor, "withdrawn_by_system", before=before, detail=reason)
    queue_notice(request, "withdrawn_by_system")


def _reclassify(request: Request, actor, active: Approval) -> None:
    old_base = request.base_approval.version if request.base_approval else "none"
    old_level = request.bump_level
    request.base_approval = active
    request.data_scope = routing.stricter_scope(
        request.proposed_data_scope, active.data_scope, request.data_scope)
    detail = f"now classified against {active.version} (was {old_base})"
    if request.kind == RequestKind.VERSION_BUMP:
        request.bump_level, request.bump_reason = classify_bump(request, active)
        detail += _route_change(request, old_level)
    request.save()
    record_event(request, actor, "reclassified", detail=detail)
    if request.kind == RequestKind.VERSION_BUMP and request.bump_level != old_level:
        set_signoffs_aside(actor, request, "the new classification")
    queue_notice(request, "reclassified")
