"""The security team's review: claiming and assigning, the moves between review states
(SPEC §5), and the assessment (risk, final data scope, rationale, restrictions)."""

from __future__ import annotations

import dataclasses

from django.db import transaction
from django_fsm import can_proceed

from accounts.roles import Role, can_manage_reviews, has_role
from audit.actors import acting_as
from governance.errors import Conflict, Errors, InvalidInput, NotAllowed, ServiceError
from governance.policy import names, routing, tools

from ..models import Request, RequestStatus
from .resubmission import resubmit_locked
from .signoff import complete_if_covered, deny_if_restricted
from .steps import (
    REVIEW_MOVES,
    REVIEW_TRANSITIONS,
    change_exclusions,
    ensure_open,
    lock_request,
    make_move,
    mark_registry_changed,
    queue_notice,
    record_event,
    set_signoffs_aside,
    target_of,
)
from .withdrawal import withdraw_locked


def _require_reviewer(actor, what):
    if not can_manage_reviews(actor):
        raise NotAllowed(f"Only the security team can {what}.")


@transaction.atomic
def assign(*, actor, request, reviewer=None) -> Request:
    """Claim (no reviewer given) or assign a request to a member of the security team."""
    _require_reviewer(actor, "claim or assign requests")
    request = lock_request(request)
    ensure_open(request, "be assigned")
    reviewer = reviewer or actor
    if not has_role(reviewer, Role.SECURITY_TEAM):
        raise InvalidInput("The reviewer must be in the security team.",
                           {"reviewer": [f"{reviewer} is not in the security_team group"]})
    with acting_as(actor):
        request.reviewer = reviewer
        request.save(update_fields=["reviewer", "updated_at"])
        verb = "claimed" if reviewer == actor else "assigned"
        record_event(request, actor, verb, detail=reviewer.get_username())
        queue_notice(request, "assigned")
        mark_registry_changed(request, verb)
    return request


BULK_MAX = 100  # a page of the queue, and then some


@dataclasses.dataclass
class BulkResult:
    """What a bulk claim or assignment did: the requests it changed, those already with
    that reviewer (left alone), and those refused with the reason (left alone too)."""

    done: list[Request] = dataclasses.field(default_factory=list)
    unchanged: list[Request] = dataclasses.field(default_factory=list)
    refused: list[tuple[int, str]] = dataclasses.field(default_factory=list)


def assign_many(*, actor, requests, reviewer=None) -> BulkResult:
    """Claim (no reviewer given) or assign several requests: each through `assign`, in a
    transaction of its own, so each keeps every rule, event, audit entry and notice of a
    single claim; one refused (decided meanwhile, gone) changes nothing for it and does not
    stop the others. `requests` are request numbers."""
    _require_reviewer(actor, "claim or assign requests")
    numbers = list(dict.fromkeys(requests))
    if not numbers:
        raise InvalidInput("Choose the requests first.",
                           {"ids": ["tick at least one request in the list"]})
    if len(numbers) > BULK_MAX:
        raise InvalidInput("Too many requests at once.",
                           {"ids": [f"at most {BULK_MAX} requests at a time"]})
    target = reviewer or actor
    found = Request.objects.in_bulk(numbers)
    result = BulkResult()
    for number in numbers:
        request = found.get(number)
        if request is None:
            result.refused.append((number, f"there is no request #{number}"))
        elif request.reviewer_id == target.pk and request.is_open:
            result.unchanged.append(request)
        else:
            try:
                result.done.append(assign(actor=actor, request=request, reviewer=reviewer))
            except NotAllowed:
                raise
            except ServiceError as exc:
                result.refused.append((number, exc.message))
    return result


@transaction.atomic
def transition(*, actor, request, status: str, notes: str = "") -> Request:
    """Move a request along the review states of SPEC §5.

    Security moves it between under_review, sandbox_trial, awaiting_security and
    needs_info; leaving sandbox_trial for awaiting_security needs trial notes. The
    requester withdraws (any open state) or resubmits (from needs_info). Approved and
    denied come only from sign-offs."""
    request = lock_request(request)
    if status == RequestStatus.WITHDRAWN:
        return withdraw_locked(actor, request)
    if (status == RequestStatus.UNDER_REVIEW and request.status == RequestStatus.NEEDS_INFO
            and actor == request.requester):
        return resubmit_locked(actor, request, {}, answer=notes)
    if status not in RequestStatus.values:
        raise InvalidInput("Unknown status.", {
            "status": [names.choice_problem(status, RequestStatus.values, "status")]})
    ensure_open(request, f"move to {status}")
    _require_reviewer(actor, "change a request's status")
    if status in (RequestStatus.APPROVED, RequestStatus.DENIED):
        raise Conflict(
            f"A request becomes {status} through sign-offs, not a status change.",
            {"status": [
                f"sign off to {'approve' if status == RequestStatus.APPROVED else 'deny'}"]})
    move = next((name for name in REVIEW_TRANSITIONS
                 if target_of(name) == status and can_proceed(getattr(request, name))), None)
    if move is None:
        allowed = ", ".join(sorted(REVIEW_MOVES[request.status])) or "none (the requester "\
            "resubmits)"
        raise Conflict(f"A request cannot move from {request.status} to {status}.",
                       {"status": [f"from {request.status} the moves are: {allowed}"]})
    if request.status == RequestStatus.SANDBOX_TRIAL and status == RequestStatus.AWAITING_SECURITY:
        if not (notes.strip() or request.trial_notes.strip()):
            raise InvalidInput("Record what the sandbox trial showed.",
                               {"notes": ["trial notes are required to leave sandbox_trial"]})
        if notes.strip():
            request.trial_notes = notes.strip()
        request.passed_sandbox_trial = True
    before = request.status
    with acting_as(actor):
        make_move(request, move)
        request.save()
        record_event(request, actor, "status_changed", before=before, detail=notes)
        queue_notice(request, status)
        mark_registry_changed(request, f"moved to {status}")
    return request


@transaction.atomic
def set_assessment(*, actor, request, risk=None, data_scope=None, rationale=None,
                   restrictions=None, excluded_tools=None) -> Request:
    """Security sets the risk, the final data scope, the rationale, restrictions and the
    tools the approval excludes. A final scope of RESTRICTED denies the request with the
    policy's reason. Lifting an exclusion widens what is approved: the sign-offs given
    before no longer count."""
    _require_reviewer(actor, "set risk and data scope")
    request = lock_request(request)
    ensure_open(request, "be assessed")
    errors = Errors()
    if risk is not None:
        errors.add("risk", names.choice_problem(risk, routing.RISKS, "risk"))
    if data_scope is not None:
        errors.add("data_scope", names.choice_problem(data_scope, routing.DATA_SCOPES,
                                                       "data scope"))
    if restrictions is not None and (
        not isinstance(restrictions, list) or not all(isinstance(r, str) for r in restrictions)
    ):
        errors.add("restrictions", "must be a list of sentences")
    for message in tools.excluded_tools_problems(excluded_tools):
        errors.add("excluded_tools", message)
    errors.raise_if_any()
    changed = []
    for field, value in (("risk", risk), ("data_scope", data_scope), ("rationale", rationale),
                         ("restrictions", restrictions)):
        if value is not None and getattr(request, field) != value:
            setattr(request, field, value)
            changed.append(field)
    with acting_as(actor):
        added, lifted = change_exclusions(request, actor, excluded_tools) if (
            excluded_tools is not None) else ((), ())
        if not changed and not added and not lifted:
            return request
        request.save()
        if lifted:
            set_signoffs_aside(actor, request, "tools were no longer excluded")
        if changed:
            record_event(request, actor, "assessed", detail=", ".join(
                f"{f}={getattr(request, f)}" for f in changed if f in ("risk", "data_scope")))
        if not deny_if_restricted(request, actor):
            complete_if_covered(request, actor)
            if request.is_open:  # a higher risk or scope may add a role: tell its holders
                queue_notice(request, "turn")
    return request
