"""The steps every change of a request takes: lock it (its server first), make one move
of the state machine, record the event, queue the notice, mark the registry changed.
Shared by the modules of this package; not part of its public face."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django_fsm import can_proceed

from governance.errors import Conflict
from governance.policy import capabilities, identity, routing, tools
from governance.selectors import capability_rules, current_policy
from governance.transactions import after_commit_task
from registry.models import Server
from registry.services import registry_changed

from ..models import (
    OPEN_STATUSES,
    TERMINAL_STATUSES,
    Inspection,
    InspectionStatus,
    Request,
    RequestEvent,
    RequestStatus,
    SignOff,
)

# The moves the security team makes with `transition`, by name of the state machine's
# transition (approvals.models.Request, where every move is declared). Decisions come from
# sign-offs; the requester's own moves (resubmit, withdraw) have functions of their own.
REVIEW_TRANSITIONS = ("move_to_sandbox_trial", "move_to_awaiting_security",
                      "move_back_to_review", "ask_for_info")
# {from: {to, ...}} for the review moves, read off the state machine (the pages offer them).
REVIEW_MOVES = {state: set() for state in OPEN_STATUSES}
for _t in Request._meta.get_field("status").get_all_transitions(Request):
    if _t.name in REVIEW_TRANSITIONS:
        REVIEW_MOVES[_t.source].add(_t.target)


def lock_request(request: Request | int) -> Request:
    """Lock a request for a change, its server's row first. Every change that touches a
    server's approvals locks in this order (server, request, approval, and the registry
    revision last), so the final sign-off of a bump and a revocation of the approval it
    starts from run one after the other (registry.services.revoke_approval)."""
    pk = request.pk if isinstance(request, Request) else request
    Server.objects.select_for_update(of=("self",)).filter(requests=pk).first()
    return (Request.objects.select_for_update(of=("self",))
            .select_related("server", "requester").get(pk=pk))


def target_of(transition_name: str) -> str:
    """Where a transition of the state machine leads."""
    return next(t.target for t in Request._meta.get_field("status").get_all_transitions(Request)
                if t.name == transition_name)


def make_move(request: Request, name: str) -> None:
    """Make one move of the state machine, or refuse it (409) naming the state it is in."""
    method = getattr(request, name)
    if not can_proceed(method):
        raise Conflict(f"Request #{request.pk} is {request.status}: it cannot move to "
                       f"{target_of(name)}.", {"status": [f"the request is {request.status}"]})
    method()


def mark_registry_changed(request: Request, what: str) -> None:
    """The registry YAML lists open requests (and the files their denials): a change of
    one is a registry change."""
    registry_changed(cause=f"request #{request.pk} {what}")


def record_event(request, actor, verb, *, before="", detail=""):
    RequestEvent.objects.create(
        request=request, actor=actor, verb=verb, from_status=before,
        to_status=request.status if before else "", detail=detail,
    )


def set_signoffs_aside(actor, request, why: str = "this change") -> int:
    """Approvals were given to what the request asked (or was classified as) before: they
    are kept for the record, no longer counted; ask again. Returns how many."""
    given = list(SignOff.objects.filter(request=request))
    for signoff in given:
        signoff.stale = True
        signoff.save(update_fields=["stale"])
    if given:
        record_event(request, actor, "signoffs_set_aside",
                     detail=f"{len(given)} sign-off(s) given before {why} no longer count")
    return len(given)


def change_exclusions(request, actor, excluded) -> tuple[list[str], list[str]]:
    """Set the tools the request's approval will exclude (checked by the caller), with an
    event naming those added and those lifted. Returns (added, lifted); the caller saves."""
    before = tools.clean_excluded_tools(request.excluded_tools)
    after = tools.clean_excluded_tools(excluded)
    added, lifted = sorted(set(after) - set(before)), tools.lifted(before, after)
    if added or lifted:
        request.excluded_tools = after
        parts = ([f"excluded: {', '.join(added)}"] if added else []) + (
            [f"no longer excluded: {', '.join(lifted)}"] if lifted else [])
        record_event(request, actor, "tools_excluded", detail="; ".join(parts))
    return added, lifted


def queue_notice(request, verb):
    """Tell the people a request concerns, after commit (notifications.tasks)."""
    after_commit_task("approvals.notify_request_event", request.pk, verb)


def ensure_open(request: Request, action: str):
    if request.status in TERMINAL_STATUSES:
        raise Conflict(
            f"Request #{request.pk} is {request.status}: a decided request cannot {action}.",
            {"status": [f"{request.status} is final"]},
        )


def request_link(access_request: Request) -> str:
    return access_request.get_absolute_url()


def route_of(request: Request, policy: routing.PolicyData | None = None) -> routing.Route:
    return routing.route_for(
        kind=request.kind, bump_level=request.bump_level or None, risk=request.risk or None,
        data_scope=request.effective_data_scope, policy=policy or current_policy(),
    )


def earlier_denial(server: Server | None) -> Request | None:
    if server is None:
        return None
    return (
        Request.objects.filter(server=server, status=RequestStatus.DENIED)
        .order_by("-decided_at", "-id").first()
    )


# ─── what the capability inspection adds to a bump's classification (issue 14) ──────

def inspection_of_approval(approval) -> Inspection | None:
    """An approval's inspection: its own, or that of the request that made it (the same
    version, inspected before the sign-off)."""
    if approval is None:
        return None
    found = Q(approval=approval)
    if approval.request_id:
        found |= Q(request_id=approval.request_id)
    return Inspection.objects.filter(found).order_by("-approval_id", "-pk").first()


def start_inspection(request) -> Inspection | None:
    """A pending inspection of what `request` asks for, run after commit by the inspector
    (approvals.inspect_request); the final sign-off waits for its outcome. None when
    inspection is off (settings.INSPECTION_ENABLED). A request inspected before (its
    version or config edited since) is inspected anew."""
    if not settings.INSPECTION_ENABLED:
        return None
    Inspection.objects.filter(request=request).delete()
    inspection = Inspection.objects.create(request=request, package_version=request.version)
    after_commit_task("approvals.inspect_request", request.pk)
    return inspection


def classify_bump(request, active) -> tuple[str, str]:
    """A bump's level and why: the version's and config's change (SPEC §4 rule 4), raised
    by the capability change the inspections found (the policy's capability rules); the
    version a server reports is never used."""
    bump = identity.classify_change(old_version=active.version, new_version=request.version,
                                    old_config=active.config, new_config=request.config)
    mine = Inspection.objects.filter(request=request).first()
    if mine is None or not mine.has_outcome:
        return bump.level, bump.why
    base = inspection_of_approval(active)
    floor = capabilities.capability_floor(
        outcome=mine.status, new_tools=mine.tools,
        old_tools=base.tools if base and base.status == InspectionStatus.DONE else None,
        rules=capability_rules(), tools_cut=mine.reason.startswith("Cut: tools:"))
    level = capabilities.higher_level(bump.level, floor.level)
    if level == bump.level:
        return bump.level, bump.why
    tail = f" (the version alone: {bump.level})"
    why = f"capabilities: {floor.why()}"
    return level, (why if len(why) + len(tail) <= 200 else why[:199 - len(tail)] + "…") + tail
