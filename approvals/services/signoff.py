"""Sign-offs and the decisions they lead to (SPEC §4 rules 2-5, 7): approved, with the
approval recorded in the registry, or denied, by a person or at once for RESTRICTED data."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts import delegations
from accounts.roles import Role, roles_of
from audit.actors import acting_as
from governance.errors import Conflict, Errors, InvalidInput, NotAllowed, ServiceError
from governance.policy import delegation, names, routing, tools, validity
from governance.selectors import current_policy
from registry.models import Approval
from registry.services import record_approval

from ..models import SIGNABLE_STATUSES, TERMINAL_STATUSES, Inspection, RequestKind, SignOff
from .steps import (
    change_exclusions,
    ensure_open,
    lock_request,
    make_move,
    mark_registry_changed,
    queue_notice,
    record_event,
    route_of,
)


@transaction.atomic
def sign_off(*, actor, request, role: str, decision: str, comment: str = "", reason: str = "",
             alternative: str = "", release_notes: str = "", expires: dt.date | None = None,
             today: dt.date | None = None, exclude_tools=None) -> SignOff:
    """Record one person's approve or deny in one role (SPEC §4 rules 4, 5, 7).

    Never the requester, only a role the route requires and the actor holds, or holds for a
    delegator under a delegation in force today (then recorded on their behalf: never on
    the delegator's own request), once per person, counting the person signed for; the
    first deny decides; the last missing approve approves, provided the risk is set and
    the route's evidence is there. An approver may approve with more tools excluded
    (`exclude_tools`, added to the request's): a narrower approval than the one the earlier
    sign-offs gave, so theirs still count."""
    request = lock_request(request)
    ensure_open(request, "be signed off")
    refusal = _refusal_by_state(actor, request)
    if refusal:
        raise refusal
    policy = current_policy()
    route = route_of(request, policy)
    errors = Errors()
    errors.add("decision", names.choice_problem(decision, SignOff.Decision.values, "decision"))
    if role not in route.required_roles:
        errors.add("role", f"{role} is not on this request's route "
                           f"(required: {', '.join(route.required_roles)})")
    errors.raise_if_any()
    today = today or timezone.localdate()
    signoffs = list(request.signoffs.select_related("user"))
    found, refusal = _standing(actor, request, role, signoffs, today)
    refusal = refusal or _refusal_by_signoffs(actor, route, signoffs, [role])
    if refusal:
        raise refusal
    if decision == "deny":
        if not reason.strip():
            raise InvalidInput("A deny needs a reason.", {"reason": ["say why it is denied"]})
    else:
        _check_evidence(errors, request, route, role, comment, release_notes)
        if expires is not None:
            errors.add("expires", validity.expiry_problem(
                approved=today, wanted=expires, risk=request.risk or None, policy=policy))
        for message in tools.excluded_tools_problems(exclude_tools):
            errors.add("exclude_tools", message)
        if exclude_tools and not errors.by_field.get("exclude_tools"):
            for message in tools.excluded_tools_problems([*request.excluded_tools,
                                                          *exclude_tools]):
                errors.add("exclude_tools", message)
        errors.raise_if_any()
    completes = decision == "approve" and set(missing_roles(route, signoffs)) == {role}
    if completes:
        _check_decidable(request, route)
    with acting_as(actor):
        if decision == "approve" and exclude_tools:
            change_exclusions(request, actor, [*request.excluded_tools, *exclude_tools])
            request.save()
        signoff = SignOff.objects.create(
            request=request, user=actor, role=role, on_behalf_of_id=found.on_behalf_of,
            decision=decision, comment=comment, reason=reason, alternative=alternative,
            release_notes=release_notes, expires=expires,
        )
        behalf = (f" on behalf of {signoff.on_behalf_of.get_username()}"
                  if found.on_behalf_of else "")
        record_event(request, actor, f"signed_off_{decision}", detail=f"as {role}{behalf}")
        if decision == "deny":
            decide_denied(request, actor, reason=reason, alternative=alternative, verb="denied")
        elif completes:
            _decide_approved(request, actor, [*signoffs, signoff], policy, today)
        else:
            queue_notice(request, "signed_off")
    return signoff


def _refusal_by_state(actor, request) -> ServiceError | None:
    if request.status not in SIGNABLE_STATUSES:
        return Conflict(f"A request that is {request.status} cannot be signed off.",
                        {"status": ["it is with the requester until they resubmit"]})
    if actor == request.requester:
        return NotAllowed("You filed this request, so you cannot sign it off.",
                          {"role": ["the requester never signs off their own request"]})
    return None


def signed_by(signoffs) -> set[int]:
    """Everyone a request's sign-offs count as: each signer and each person signed for."""
    return {s.user_id for s in signoffs} | {s.on_behalf_of_id for s in signoffs
                                            if s.on_behalf_of_id}


def _standing(actor, request, role, signoffs, today):
    """May `actor` sign `role` (governance.policy.delegation.standing), and the error
    sign_off raises when not: 409 for what was signed already, 403 for who asks."""
    holds = role in roles_of(actor)
    grants = [] if holds else [delegations.grant_of(d)
                               for d in delegations.received(actor, today, role=role)]
    found = delegation.standing(signer=actor.pk, role=role, holds_role=holds,
                                requester=request.requester_id, signed=signed_by(signoffs),
                                grants=grants, today=today)
    if found.allowed:
        return found, None
    problem = {"role": [found.problem]}
    if any(s.user_id == actor.pk for s in signoffs):
        return found, Conflict("You have signed off this request already.", problem)
    if actor.pk in signed_by(signoffs):
        proxy = next(s.user for s in signoffs if s.on_behalf_of_id == actor.pk)
        return found, Conflict(f"{proxy.get_username()} signed this request off on your "
                               "behalf already.", problem)
    if found.conflict:
        return found, Conflict(f"Your delegator has signed this request off already, so you "
                               f"cannot sign it as {role} for them.", problem)
    if not grants:
        return found, NotAllowed(f"You do not hold the {role} role.", problem)
    return found, NotAllowed(f"You cannot sign this request off as {role} on anyone's "
                             "behalf.", problem)


def _refusal_by_signoffs(actor, route, signoffs, roles) -> ServiceError | None:
    taken = [s for s in signoffs if s.role in roles and s.decision == "approve"]
    if len(taken) == len(roles):
        role, who = taken[0].role, taken[0].user.get_username()
        return Conflict(f"{role} has signed off already ({who}).",
                        {"role": [f"{role} is covered; the route still needs: "
                                  f"{', '.join(missing_roles(route, signoffs)) or 'nothing'}"]})
    return None


def signoff_refusal(*, actor, request, route=None) -> ServiceError | None:
    """Why `actor` cannot sign `request` off in any role they hold, as the error sign_off
    would raise (the page shows it where the form would be); None when they can."""
    if request.status in TERMINAL_STATUSES:
        return Conflict(f"Request #{request.pk} is {request.status}: a decided request "
                        "cannot be signed off.", {"status": [f"{request.status} is final"]})
    refusal = _refusal_by_state(actor, request)
    if refusal:
        return refusal
    route = route or route_of(request)
    mine = roles_of(actor) | delegations.delegated_roles(actor)
    held = [r for r in route.required_roles if r in mine]
    if not held:
        mine = ", ".join(sorted(r for r in roles_of(actor) if r in routing.SIGNING_ROLES))
        return NotAllowed(
            f"Your role{'s' if ',' in mine else ''} ({mine or 'none'}) "
            f"{'are' if ',' in mine else 'is'} not on this request's route "
            f"(required: {', '.join(route.required_roles)}).",
            {"role": [f"this {route.basis} needs {' + '.join(route.required_roles)}"]})
    signoffs, today = list(request.signoffs.all()), timezone.localdate()
    refusals = [_standing(actor, request, role, signoffs, today)[1] for role in held]
    if all(refusals):
        return refusals[0]
    return _refusal_by_signoffs(actor, route, signoffs, held)


def signable_roles(*, actor, request, route) -> list[tuple[str, object]]:
    """The roles still missing that `actor` may sign now, each with the person they would
    sign for (None: in their own right): the sign-off form's choices."""
    signoffs, today = list(request.signoffs.all()), timezone.localdate()
    mine = roles_of(actor) | delegations.delegated_roles(actor)
    delegators = {d.delegator_id: d.delegator for d in delegations.in_force_for(actor, today)}
    choices = []
    for role in missing_roles(route, signoffs):
        if role in mine:
            found, refusal = _standing(actor, request, role, signoffs, today)
            if refusal is None:
                choices.append((role, delegators.get(found.on_behalf_of)))
    return choices


def _check_decidable(request, route):
    """What the final approve needs of the request's state (SPEC §4 rules 3, 4 and 5);
    a refusal is a 409: the request must change before it can be approved."""
    final = {}
    if not request.risk:
        final["risk"] = ["the security team must set the risk before the final sign-off"]
    if "sandbox_trial" in route.evidence and not request.passed_sandbox_trial:
        final["status"] = ["this route needs a sandbox trial: move the request through "
                           "sandbox_trial with trial notes before the final sign-off"]
    # The server's row is locked (by lock_request) before the approval: a revocation of the active
    # approval locks in the same order, so it is either done before this reads (and the
    # bump is refused below) or waits until this approval has superseded it.
    active = Approval.objects.select_for_update().filter(
        server=request.server_id, status=Approval.Status.ACTIVE).first()
    if request.kind == RequestKind.NEW_SERVER and active:
        final["server_name"] = [
            f"{request.server.name} was approved at {active.version} since this request was "
            "filed: withdraw it and file a version_bump against that approval"]
    elif request.kind != RequestKind.NEW_SERVER and (
            active is None or active.pk != request.base_approval_id):
        now = f"is now {active.version}" if active else "has no active approval now"
        final["version"] = [
            f"this request was classified against an approval that is no longer active "
            f"({request.server.name} {now}): withdraw it and file again"]
    excluded = tools.clean_excluded_tools(request.excluded_tools)
    if len(excluded) > tools.MAX_EXCLUDED:
        final["excluded_tools"] = [
            f"{len(excluded)} tools are excluded (the new version's tools are excluded until "
            f"approved), more than the {tools.MAX_EXCLUDED} an approval can carry: lift the "
            "exclusions of the tools you approve first"]
    inspection = Inspection.objects.filter(request=request).first()
    if inspection is not None and not inspection.has_outcome:
        final["inspection"] = [
            "the capability inspection has not finished: the final sign-off waits for its "
            "outcome (a result, or the reason the server could not be inspected)"]
    if final:
        raise Conflict("The request cannot be approved in its present state.", final)


def complete_if_covered(request, actor):
    """After the route shrank (a lower risk or scope), approvals already given may cover
    it: decide then, on the same terms as the last sign-off would."""
    if request.status not in SIGNABLE_STATUSES:  # with the requester: decided on resubmit
        return
    policy = current_policy()
    route = route_of(request, policy)
    signoffs = list(request.signoffs.select_related("user"))
    if not signoffs or missing_roles(route, signoffs):
        return
    try:
        _check_decidable(request, route)
    except Conflict:
        return
    _decide_approved(request, actor, signoffs, policy, timezone.localdate())


def missing_roles(route, signoffs) -> list[str]:
    """The roles of the route that no current sign-off approves yet."""
    approved = {s.role for s in signoffs if s.decision == "approve"}
    return [r for r in route.required_roles if r not in approved]


def _check_evidence(errors, request, route, role, comment, release_notes):
    if "check_release_notes" in route.evidence and not release_notes.strip():
        errors.add("release_notes", "this route needs the release notes reviewed: give a link "
                                    "to them or a summary")
    if ("full_security_review" in route.evidence and role == Role.SECURITY_TEAM
            and not comment.strip()):
        errors.add("comment", "this route needs a full security review: write its findings "
                              "in the comment")


def decide_denied(request, actor, *, reason, alternative, verb, now=None, notify=True):
    """The one way a request is denied: by a person's deny, automatically (RESTRICTED data,
    at filing, on an edit or an assessment, or on import), or as an imported decision."""
    before = request.status
    make_move(request, "deny")
    request.decided_at = now or timezone.now()
    request.denial_reason = reason
    request.denial_alternative = alternative
    request.save()
    record_event(request, actor, verb, before=before, detail=reason)
    if notify:
        queue_notice(request, "denied")
    mark_registry_changed(request, "denied")


def _decide_approved(request, actor, signoffs, policy, today):
    before = request.status
    make_move(request, "approve")
    request.decided_at = timezone.now()
    request.save()
    approval = record_approval(request=request, signoffs=signoffs, policy_data=policy, today=today)
    record_event(request, actor, "approved", before=before,
           detail=f"{approval.version} until {approval.expires}")
    queue_notice(request, "approved")


def deny_if_restricted(request, actor) -> bool:
    """SPEC §4 rule 2: a RESTRICTED scope is denied at once, whenever it appears."""
    reason = routing.auto_denial_reason(request.effective_data_scope, current_policy())
    if reason:
        decide_denied(request, actor, reason=reason, alternative="", verb="auto_denied")
    return bool(reason)
