"""The workflow service: every change of a request's state goes through these functions,
whether it comes from a page, the API, the admin, the importer or a job. Each runs in one
transaction, locks the request row, checks the rules of SPEC §4, writes, records the event
and the actor, and queues follow-up work after commit."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import can_proceed

from accounts.roles import Role, can_manage_reviews, can_see_queue, has_role, roles_of
from audit.actors import acting_as, system_user
from audit.writes import bulk_audit
from governance.errors import Conflict, Errors, InvalidInput, NotAllowed
from governance.locks import job_lock
from governance.policy import configs, identity, names, routing, validity, versions
from governance.selectors import current_policy
from governance.transactions import after_commit_task
from registry.models import Approval, PackageRegistry, Server
from registry.services import record_approval, registry_changed

from .models import (
    OPEN_STATUSES,
    SIGNABLE_STATUSES,
    TERMINAL_STATUSES,
    Comment,
    Request,
    RequestEvent,
    RequestKind,
    RequestStatus,
    SignOff,
)

S = RequestStatus

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
EDITABLE_FIELDS = ("version", "config", "use_case", "proposed_data_scope", "notes",
                   "what_changed", "source", "package", "package_registry")
# Edits that change what would be approved: sign-offs given before them no longer count.
MATERIAL_FIELDS = frozenset({"version", "config", "proposed_data_scope", "source", "package",
                             "package_registry"})


# ─── helpers ────────────────────────────────────────────────────────────────────────


def _lock(request: Request | int) -> Request:
    """Lock a request for a change, its server's row first. Every change that touches a
    server's approvals locks in this order (server, request, approval, and the registry
    revision last), so the final sign-off of a bump and a revocation of the approval it
    starts from run one after the other (registry.services.revoke_approval)."""
    pk = request.pk if isinstance(request, Request) else request
    Server.objects.select_for_update(of=("self",)).filter(requests=pk).first()
    return (Request.objects.select_for_update(of=("self",))
            .select_related("server", "requester").get(pk=pk))


def _target(transition_name: str) -> str:
    """Where a transition of the state machine leads."""
    return next(t.target for t in Request._meta.get_field("status").get_all_transitions(Request)
                if t.name == transition_name)


def _move(request: Request, name: str) -> None:
    """Make one move of the state machine, or refuse it (409) naming the state it is in."""
    method = getattr(request, name)
    if not can_proceed(method):
        raise Conflict(f"Request #{request.pk} is {request.status}: it cannot move to "
                       f"{_target(name)}.", {"status": [f"the request is {request.status}"]})
    method()


def _changed(request: Request, what: str) -> None:
    """The registry YAML lists open requests (and the files their denials): a change of
    one is a registry change."""
    registry_changed(cause=f"request #{request.pk} {what}")


def _event(request, actor, verb, *, before="", detail=""):
    RequestEvent.objects.create(
        request=request, actor=actor, verb=verb, from_status=before,
        to_status=request.status if before else "", detail=detail,
    )


def _notify(request, verb):
    """Tell the people a request concerns, after commit (notifications.tasks)."""
    after_commit_task("approvals.notify_request_event", request.pk, verb)


def _ensure_open(request: Request, action: str):
    if request.status in TERMINAL_STATUSES:
        raise Conflict(
            f"Request #{request.pk} is {request.status}: a decided request cannot {action}.",
            {"status": [f"{request.status} is final"]},
        )


def request_link(access_request: Request) -> str:
    return access_request.get_absolute_url()


def route_of(request: Request, pol: routing.PolicyData | None = None) -> routing.Route:
    return routing.route_for(
        kind=request.kind, bump_level=request.bump_level or None, risk=request.risk or None,
        data_scope=request.effective_data_scope, policy=pol or current_policy(),
    )


def earlier_denial(server: Server | None) -> Request | None:
    if server is None:
        return None
    return (
        Request.objects.filter(server=server, status=S.DENIED)
        .order_by("-decided_at", "-id").first()
    )


# ─── filing ─────────────────────────────────────────────────────────────────────────


def _validate_fields(errors: Errors, *, version, config, proposed_data_scope, package,
                     package_registry="", pin=True):
    if pin:
        errors.add("version", versions.version_problem(version))
    errors.add("proposed_data_scope",
               names.choice_problem(proposed_data_scope, routing.DATA_SCOPES, "data scope"))
    errors.add("package", names.package_problem(package))
    checked_version = version if pin and not versions.version_problem(version) else ""
    errors.merge(configs.config_problems(config, version=checked_version, package=package,
                                        package_registry=package_registry))


def _check_identity(errors: Errors, *, kind, server, base, package, package_registry, config):
    """SPEC §4 rule 12: a bump or a renewal keeps the server's package (the one the catalog
    names) and what its approved config runs; another package is another server."""
    if kind == RequestKind.NEW_SERVER or server is None:
        return
    again = "another package is another server: file a new_server request for it"
    if package and server.package and identity.normalise_package(
            server.package_registry, package) != identity.normalise_package(
            server.package_registry, server.package):
        errors.add("package", f"{server.name} is the package {server.package}: a {kind} "
                              f"keeps it ({again})")
    if package_registry and server.package_registry and (
            package_registry != server.package_registry):
        errors.add("package_registry", f"{server.name} comes from {server.package_registry}: "
                                       f"a {kind} keeps its registry ({again})")
    if base is not None and not errors.by_field.get("config") and not any(
            key.startswith("config.") for key in errors.by_field):
        errors.merge(identity.identity_problems(old_config=base.config, new_config=config,
                                              kind=kind, server=server.name))


@transaction.atomic
def file_request(
    *, actor, kind: str, server_name: str, version: str = "", config=None, use_case: str = "",
    proposed_data_scope: str = "", source: str = "", package: str = "",
    package_registry: str = "", notes: str = "", what_changed: str = "", now=None,
) -> Request:
    """File a new_server, version_bump or renewal request (SPEC §4 rules 1, 2, 4, 6, 8, 9).

    A RESTRICTED scope is recorded and denied at once with the policy's reason."""
    now = now or timezone.now()
    pol = current_policy()
    errors = Errors()
    if kind not in RequestKind.values:
        raise InvalidInput("Unknown request kind.", {
            "kind": [names.choice_problem(kind, RequestKind.values, "kind")]})
    errors.add("server_name", names.name_problem(server_name))
    server = Server.objects.select_for_update().filter(name=server_name).first()
    active = Approval.objects.active().filter(server=server).first() if server else None
    if package_registry and package_registry not in PackageRegistry.values:
        errors.add("package_registry", names.choice_problem(
            package_registry, PackageRegistry.values, "package registry"))

    if kind == RequestKind.NEW_SERVER:
        if active:
            errors.add("server_name", (
                f"{server_name} is already approved at version {active.version}: file a "
                "version_bump to change the version or a renewal to re-certify it"))
        errors.add("source", names.source_problem(source or (server.source if server else "")))
        if not use_case.strip():
            errors.add("use_case", "say what the server is for (the use case)")
    else:
        if not active and not errors.by_field.get("server_name"):
            errors.add("server_name", (
                f"{server_name} has no active approval: file a new_server request instead"))
        if source:
            errors.add("source", names.source_problem(source))
    if active:
        package = package or active.server.package
        if config in (None, {}) and kind == RequestKind.RENEWAL:
            config = active.config
        if kind == RequestKind.RENEWAL and not version:
            version = active.version
        proposed_data_scope = proposed_data_scope or active.data_scope
    elif server:
        package = package or server.package
    if config is None:
        config = {}
    _validate_fields(errors, version=version, config=config,
                     proposed_data_scope=proposed_data_scope, package=package,
                     package_registry=package_registry or (server.package_registry if server
                                                           else ""))
    if not config and "config" not in errors.by_field:
        errors.add("config", "give the server's config: command and args, or type and url")
    _check_identity(errors, kind=kind, server=server, base=active, package=package,
                    package_registry=package_registry, config=config)

    bump = None
    if active and not errors.by_field.get("version"):
        if kind == RequestKind.RENEWAL and version != active.version:
            errors.add("version", (
                f"a renewal re-certifies version {active.version}; to change the version "
                "file a version_bump"))
        if kind == RequestKind.VERSION_BUMP:
            if version == active.version:
                errors.add("version", (
                    f"{version} is the approved version already: file a renewal to re-certify"))
            else:
                bump = identity.classify_change(old_version=active.version, new_version=version,
                                              old_config=active.config, new_config=config)

    denial = earlier_denial(server) if not active else None
    if denial and kind == RequestKind.NEW_SERVER and not what_changed.strip():
        alternative = f" Suggested alternative: {denial.denial_alternative.strip()}" if (
            denial.denial_alternative.strip()) else ""
        errors.add("what_changed", (
            f"{server_name} was denied on {denial.decided_at:%Y-%m-%d}: "
            f"{denial.denial_reason.strip()}{alternative} Say what has changed since."))
    errors.raise_if_any()

    duplicate = Request.objects.open().filter(server=server, version=version).first() if (
        server) else None
    if duplicate:
        raise Conflict(
            f"Request #{duplicate.pk} for {server_name} {version} is still open.",
            {"version": [f"an open request for {server_name} {version} exists already: "
                         f"#{duplicate.pk}"]},
            link=request_link(duplicate), conflict={"request_id": duplicate.pk},
        )

    with acting_as(actor):
        if server is None:
            try:
                with transaction.atomic():
                    server = Server.objects.create(
                        name=server_name, source=source, package=package,
                        package_registry=package_registry, created_at=now)
            except IntegrityError as exc:  # filed for the same new name at the same moment
                raise Conflict(f"{server_name} was just requested by someone else.",
                               {"server_name": ["a request for this server was filed a moment "
                                                "ago: open the catalog and follow that one"]},
                               ) from exc
        request = Request(
            kind=kind, server=server, version=version, requester=actor, requested_at=now,
            source=source or server.source, package=package,
            package_registry=package_registry or server.package_registry,
            use_case=use_case, proposed_data_scope=proposed_data_scope, config=config,
            notes=notes, what_changed=what_changed, base_approval=active,
            bump_level=bump.level if bump else "", bump_reason=bump.why if bump else "",
            risk=active.risk if active else "",
            data_scope=routing.stricter_scope(proposed_data_scope, active.data_scope)
            if active else "",
            rationale=active.rationale if active else "",
            restrictions=list(active.restrictions) if active else [],
        )
        request.expected_decision = now + route_of(request, pol).turnaround
        try:
            with transaction.atomic():
                request.save()
        except IntegrityError as exc:  # a concurrent twin got in first
            raise Conflict(
                f"An open request for {server_name} {version} exists already.",
                {"version": ["an open request for this server and version exists already"]},
            ) from exc
        _event(request, actor, "filed", detail=route_of(request, pol).basis)
        reason = routing.auto_denial_reason(request.effective_data_scope, pol)
        if reason:
            _decide_denied(request, None, reason=reason, alternative="", verb="auto_denied",
                           now=now)
        else:
            _notify(request, "filed")
            _changed(request, "filed")
    return request


# ─── review ─────────────────────────────────────────────────────────────────────────


def _require_reviewer(actor, what):
    if not can_manage_reviews(actor):
        raise NotAllowed(f"Only the security team can {what}.")


@transaction.atomic
def assign(*, actor, request, reviewer=None) -> Request:
    """Claim (no reviewer given) or assign a request to a member of the security team."""
    _require_reviewer(actor, "claim or assign requests")
    request = _lock(request)
    _ensure_open(request, "be assigned")
    reviewer = reviewer or actor
    if not has_role(reviewer, Role.SECURITY_TEAM):
        raise InvalidInput("The reviewer must be in the security team.",
                           {"reviewer": [f"{reviewer} is not in the security_team group"]})
    with acting_as(actor):
        request.reviewer = reviewer
        request.save(update_fields=["reviewer", "updated_at"])
        verb = "claimed" if reviewer == actor else "assigned"
        _event(request, actor, verb, detail=reviewer.get_username())
        _notify(request, "assigned")
        _changed(request, verb)
    return request


@transaction.atomic
def transition(*, actor, request, status: str, notes: str = "") -> Request:
    """Move a request along the review states of SPEC §5.

    Security moves it between under_review, sandbox_trial, awaiting_security and
    needs_info; leaving sandbox_trial for awaiting_security needs trial notes. The
    requester withdraws (any open state) or resubmits (from needs_info). Approved and
    denied come only from sign-offs."""
    request = _lock(request)
    if status == S.WITHDRAWN:
        return _withdraw(actor, request)
    if status == S.UNDER_REVIEW and request.status == S.NEEDS_INFO and actor == request.requester:
        return _resubmit(actor, request, {})
    if status not in S.values:
        raise InvalidInput("Unknown status.", {
            "status": [names.choice_problem(status, S.values, "status")]})
    _ensure_open(request, f"move to {status}")
    _require_reviewer(actor, "change a request's status")
    if status in (S.APPROVED, S.DENIED):
        raise Conflict(
            f"A request becomes {status} through sign-offs, not a status change.",
            {"status": [f"sign off to {'approve' if status == S.APPROVED else 'deny'}"]})
    move = next((name for name in REVIEW_TRANSITIONS
                 if _target(name) == status and can_proceed(getattr(request, name))), None)
    if move is None:
        allowed = ", ".join(sorted(REVIEW_MOVES[request.status])) or "none (the requester "\
            "resubmits)"
        raise Conflict(f"A request cannot move from {request.status} to {status}.",
                       {"status": [f"from {request.status} the moves are: {allowed}"]})
    if request.status == S.SANDBOX_TRIAL and status == S.AWAITING_SECURITY:
        if not (notes.strip() or request.trial_notes.strip()):
            raise InvalidInput("Record what the sandbox trial showed.",
                               {"notes": ["trial notes are required to leave sandbox_trial"]})
        if notes.strip():
            request.trial_notes = notes.strip()
        request.passed_sandbox_trial = True
    before = request.status
    with acting_as(actor):
        _move(request, move)
        request.save()
        _event(request, actor, "status_changed", before=before, detail=notes)
        _notify(request, status)
        _changed(request, f"moved to {status}")
    return request


def _withdraw(actor, request):
    _ensure_open(request, "be withdrawn")
    if actor != request.requester:
        raise NotAllowed("Only the requester can withdraw a request.")
    before = request.status
    with acting_as(actor):
        _move(request, "withdraw")
        request.decided_at = timezone.now()
        request.save()
        _event(request, actor, "withdrawn", before=before)
        _changed(request, "withdrawn")
    return request


@transaction.atomic
def withdraw(*, actor, request) -> Request:
    return _withdraw(actor, _lock(request))


def _apply_edits(actor, request, changes: dict) -> list[str]:
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput("These fields cannot be edited.",
                           {key: ["not editable by the requester"] for key in unknown})
    if not changes:
        return []
    merged = {field: getattr(request, field) for field in EDITABLE_FIELDS}
    merged.update(changes)
    errors = Errors()
    _validate_fields(errors, version=merged["version"], config=merged["config"],
                     proposed_data_scope=merged["proposed_data_scope"],
                     package=merged["package"] or request.server.package,
                     package_registry=merged["package_registry"]
                     or request.server.package_registry,
                     pin=request.kind != RequestKind.NEW_SERVER or bool(merged["version"])
                     or "version" in changes)
    if "source" in changes and request.kind == RequestKind.NEW_SERVER:
        errors.add("source", names.source_problem(merged["source"]))
    base = request.base_approval
    _check_identity(errors, kind=request.kind, server=request.server, base=base,
                    package=changes.get("package", ""),
                    package_registry=changes.get("package_registry", ""),
                    config=merged["config"])
    if base and "version" in changes and not errors.by_field.get("version"):
        if request.kind == RequestKind.RENEWAL and merged["version"] != base.version:
            errors.add("version", f"a renewal re-certifies version {base.version}")
        if request.kind == RequestKind.VERSION_BUMP and merged["version"] == base.version:
            errors.add("version", f"{base.version} is the approved version already")
    errors.raise_if_any("The changes break the rules below; nothing was saved.")
    other = None
    if "version" in changes and merged["version"] != request.version:
        other = (Request.objects.open().filter(server=request.server, version=merged["version"])
                 .exclude(pk=request.pk).first())
    if other:
        raise Conflict("Another open request has that version.",
                       {"version": ["an open request for this server and version exists"]},
                       link=request_link(other), conflict={"request_id": other.pk})
    changed = [f for f in EDITABLE_FIELDS if f in changes and getattr(request, f) != changes[f]]
    for field in changed:
        setattr(request, field, changes[field])
    if base and {"version", "config"} & set(changed) and (
            request.kind == RequestKind.VERSION_BUMP):
        bump = identity.classify_change(old_version=base.version, new_version=request.version,
                                      old_config=base.config, new_config=request.config)
        request.bump_level, request.bump_reason = bump.level, bump.why
    if "proposed_data_scope" in changed:
        request.data_scope = routing.stricter_scope(
            request.proposed_data_scope, base.data_scope if base else "", request.data_scope)
    if MATERIAL_FIELDS & set(changed):
        _set_signoffs_aside(actor, request)
    return changed


def _set_signoffs_aside(actor, request):
    """Approvals were given to what the request asked before; ask again."""
    given = list(SignOff.objects.filter(request=request))
    for signoff in given:
        signoff.stale = True
        signoff.save(update_fields=["stale"])
    if given:
        _event(request, actor, "signoffs_set_aside",
               detail=f"{len(given)} sign-off(s) given before this change no longer count")


def _deny_if_restricted(request, actor) -> bool:
    """SPEC §4 rule 2: a RESTRICTED scope is denied at once, whenever it appears."""
    reason = routing.auto_denial_reason(request.effective_data_scope, current_policy())
    if reason:
        _decide_denied(request, actor, reason=reason, alternative="", verb="auto_denied")
    return bool(reason)


@transaction.atomic
def edit_request(*, actor, request, **changes) -> Request:
    """The requester edits a request that was sent back (needs_info)."""
    request = _lock(request)
    _ensure_open(request, "be edited")
    if actor != request.requester:
        raise NotAllowed("Only the requester can edit a request.")
    if request.status != S.NEEDS_INFO:
        raise Conflict("A request can be edited only while it needs info.",
                       {"status": [f"the request is {request.status}"]})
    with acting_as(actor):
        changed = _apply_edits(actor, request, changes)
        if changed:
            request.save()
            _event(request, actor, "edited", detail=", ".join(changed))
            if not _deny_if_restricted(request, None):
                _changed(request, "edited")
    return request


def _resubmit(actor, request, changes):
    _ensure_open(request, "be resubmitted")
    if actor != request.requester:
        raise NotAllowed("Only the requester can resubmit a request.")
    if request.status != S.NEEDS_INFO:
        raise Conflict("Only a request that needs info can be resubmitted.",
                       {"status": [f"the request is {request.status}"]})
    with acting_as(actor):
        changed = _apply_edits(actor, request, changes)
        _move(request, "resubmit")
        request.save()
        _event(request, actor, "resubmitted", before=S.NEEDS_INFO, detail=", ".join(changed))
        if not _deny_if_restricted(request, None):
            _notify(request, "resubmitted")
            _changed(request, "resubmitted")
    return request


@transaction.atomic
def resubmit(*, actor, request, **changes) -> Request:
    """The requester answers needs_info: edits (validated like a new filing), back to review."""
    return _resubmit(actor, _lock(request), changes)


@transaction.atomic
def set_assessment(*, actor, request, risk=None, data_scope=None, rationale=None,
                   restrictions=None) -> Request:
    """Security sets the risk, the final data scope, the rationale and restrictions.
    A final scope of RESTRICTED denies the request with the policy's reason."""
    _require_reviewer(actor, "set risk and data scope")
    request = _lock(request)
    _ensure_open(request, "be assessed")
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
    errors.raise_if_any()
    changed = []
    for field, value in (("risk", risk), ("data_scope", data_scope), ("rationale", rationale),
                         ("restrictions", restrictions)):
        if value is not None and getattr(request, field) != value:
            setattr(request, field, value)
            changed.append(field)
    if not changed:
        return request
    with acting_as(actor):
        request.save()
        _event(request, actor, "assessed", detail=", ".join(
            f"{f}={getattr(request, f)}" for f in changed if f in ("risk", "data_scope")))
        if not _deny_if_restricted(request, actor):
            _complete_if_covered(request, actor)
    return request


# ─── sign-offs and decisions ────────────────────────────────────────────────────────


@transaction.atomic
def sign_off(*, actor, request, role: str, decision: str, comment: str = "", reason: str = "",
             alternative: str = "", release_notes: str = "", expires: dt.date | None = None,
             today: dt.date | None = None) -> SignOff:
    """Record one person's approve or deny in one role (SPEC §4 rules 4, 5, 7).

    Never the requester, only a role the route requires and the actor holds, once per
    person; the first deny decides; the last missing approve approves, provided the risk
    is set and the route's evidence is there."""
    request = _lock(request)
    _ensure_open(request, "be signed off")
    if request.status not in SIGNABLE_STATUSES:
        raise Conflict(f"A request that is {request.status} cannot be signed off.",
                       {"status": ["it is with the requester until they resubmit"]})
    if actor == request.requester:
        raise NotAllowed("You filed this request, so you cannot sign it off.",
                         {"role": ["the requester never signs off their own request"]})
    pol = current_policy()
    route = route_of(request, pol)
    errors = Errors()
    errors.add("decision", names.choice_problem(decision, SignOff.Decision.values, "decision"))
    if role not in route.required_roles:
        errors.add("role", f"{role} is not on this request's route "
                           f"(required: {', '.join(route.required_roles)})")
    errors.raise_if_any()
    if role not in roles_of(actor):
        raise NotAllowed(f"You do not hold the {role} role.",
                         {"role": [f"sign-off as {role} needs membership of {role}"]})
    signoffs = list(request.signoffs.select_related("user"))
    if any(s.user_id == actor.pk for s in signoffs):
        raise Conflict("You have signed off this request already.",
                       {"role": ["one sign-off per person per request"]})
    taken = next((s for s in signoffs if s.role == role and s.decision == "approve"), None)
    if taken:
        raise Conflict(f"{role} has signed off already ({taken.user.get_username()}).",
                       {"role": [f"{role} is covered; the route still needs: "
                                 f"{', '.join(missing_roles(route, signoffs)) or 'nothing'}"]})
    today = today or timezone.localdate()
    if decision == "deny":
        if not reason.strip():
            raise InvalidInput("A deny needs a reason.", {"reason": ["say why it is denied"]})
    else:
        _check_evidence(errors, request, route, role, comment, release_notes)
        if expires is not None:
            errors.add("expires", validity.expiry_problem(
                approved=today, wanted=expires, risk=request.risk or None, policy=pol))
        errors.raise_if_any()
    completes = decision == "approve" and set(missing_roles(route, signoffs)) == {role}
    if completes:
        _check_decidable(request, route)
    with acting_as(actor):
        signoff = SignOff.objects.create(
            request=request, user=actor, role=role, decision=decision, comment=comment,
            reason=reason, alternative=alternative, release_notes=release_notes, expires=expires,
        )
        _event(request, actor, f"signed_off_{decision}", detail=f"as {role}")
        if decision == "deny":
            _decide_denied(request, actor, reason=reason, alternative=alternative, verb="denied")
        elif completes:
            _decide_approved(request, actor, [*signoffs, signoff], pol, today)
        else:
            _notify(request, "signed_off")
    return signoff


def _check_decidable(request, route):
    """What the final approve needs of the request's state (SPEC §4 rules 3, 4 and 5);
    a refusal is a 409: the request must change before it can be approved."""
    final = {}
    if not request.risk:
        final["risk"] = ["the security team must set the risk before the final sign-off"]
    if "sandbox_trial" in route.evidence and not request.passed_sandbox_trial:
        final["status"] = ["this route needs a sandbox trial: move the request through "
                           "sandbox_trial with trial notes before the final sign-off"]
    # The server's row is locked (by _lock) before the approval: a revocation of the active
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
    if final:
        raise Conflict("The request cannot be approved in its present state.", final)


def _complete_if_covered(request, actor):
    """After the route shrank (a lower risk or scope), approvals already given may cover
    it: decide then, on the same terms as the last sign-off would."""
    if request.status not in SIGNABLE_STATUSES:  # with the requester: decided on resubmit
        return
    pol = current_policy()
    route = route_of(request, pol)
    signoffs = list(request.signoffs.select_related("user"))
    if not signoffs or missing_roles(route, signoffs):
        return
    try:
        _check_decidable(request, route)
    except Conflict:
        return
    _decide_approved(request, actor, signoffs, pol, timezone.localdate())


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


def _decide_denied(request, actor, *, reason, alternative, verb, now=None, notify=True):
    """The one way a request is denied: by a person's deny, automatically (RESTRICTED data,
    at filing, on an edit or an assessment, or on import), or as an imported decision."""
    before = request.status
    _move(request, "deny")
    request.decided_at = now or timezone.now()
    request.denial_reason = reason
    request.denial_alternative = alternative
    request.save()
    _event(request, actor, verb, before=before, detail=reason)
    if notify:
        _notify(request, "denied")
    _changed(request, "denied")


def _decide_approved(request, actor, signoffs, pol, today):
    before = request.status
    _move(request, "approve")
    request.decided_at = timezone.now()
    request.save()
    approval = record_approval(request=request, signoffs=signoffs, policy_data=pol, today=today)
    _event(request, actor, "approved", before=before,
           detail=f"{approval.version} until {approval.expires}")
    _notify(request, "approved")


# ─── the importer's requests ────────────────────────────────────────────────────────
# The importer (approvals.importer.import_registry) writes what a registry file says through
# these, inside its own transaction: the same moves, events, denials and notices as a page.


def record_imported(*, actor, request: Request, status: str, created: bool) -> bool:
    """An imported pending request, new (`created`) or updated from the file: moved to the
    status the file says through the state machine, with an `imported` event, and denied at
    once if its data scope is RESTRICTED (SPEC §4 rule 2), with the event and the notice a
    filing gets. A move the state machine does not allow is refused (409), and the import
    then changes nothing. Returns whether the status changed."""
    before = request.status
    if status != before:
        move = next((name for name in REVIEW_TRANSITIONS + ("resubmit",)
                     if _target(name) == status and can_proceed(getattr(request, name))), None)
        if move is None:
            allowed = ", ".join(sorted({_target(n) for n in REVIEW_TRANSITIONS + ("resubmit",)
                                        if can_proceed(getattr(request, n))})) or "none"
            raise Conflict(
                f"Request #{request.pk} ({request.server.name} {request.version}) is {before} "
                f"and cannot move to {status}.",
                {"status": [f"from {before} a request can move to: {allowed}"]})
        _move(request, move)
        request.save()
    if created or status != before:
        RequestEvent.objects.create(request=request, actor=actor, verb="imported",
                                    from_status="" if created else before,
                                    to_status=request.status)
    if created:
        _deny_if_restricted(request, None)
    return status != before


def record_imported_denial(*, actor, request: Request, reason: str, alternative: str,
                           decided_at) -> None:
    """A denial the registry file records (a decision taken before the portal): denied
    through the same function as any denial, without a notice (nobody is waiting for it)."""
    _decide_denied(request, actor, reason=reason, alternative=alternative, verb="imported",
                   now=decided_at, notify=False)


# ─── discussion ─────────────────────────────────────────────────────────────────────


def can_view(user, request: Request) -> bool:
    return user == request.requester or can_see_queue(user)


@transaction.atomic
def add_comment(*, actor, request, body: str) -> Comment:
    request = _lock(request)
    if not can_view(actor, request):
        raise NotAllowed("Only the requester and reviewers can comment on a request.")
    if not body or not body.strip():
        raise InvalidInput("A comment needs text.", {"body": ["write something"]})
    with acting_as(actor):
        comment = Comment.objects.create(request=request, author=actor, body=body.strip())
        _event(request, actor, "commented")
        _notify(request, "commented")
    return comment


__all__ = [
    "OPEN_STATUSES", "add_comment", "assign", "edit_request", "file_request", "resubmit",
    "set_assessment", "sign_off", "transition", "withdraw",
]


# ─── jobs: overdue reviews ──────────────────────────────────────────────────────────

# A review still open this long after its due date goes to the engineering directors.
ESCALATE_AFTER = dt.timedelta(hours=24)


@transaction.atomic
def flag_overdue_requests(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Open requests past `expected_decision` are flagged once and their reviewer (the
    security team while nobody has claimed it) is to be told; still open a day after the due
    date, they are escalated once to the engineering directors (SPEC §8). Set-based: one
    update per step with bulk audit entries and timeline events. The notices are made from
    the marks (`overdue_flagged_at`, `escalated_at`) by notifications.overdue_notices."""
    job_lock("flag_overdue_requests")
    now = now or timezone.now()
    actor = system_user()
    fields = ("pk", "server__name", "version", "expected_decision", "reviewer_id", "status")
    to_flag = list(Request.objects.overdue(now).filter(overdue_flagged_at__isnull=True)
                   .select_for_update(of=("self",)).values_list(*fields))
    to_escalate = list(Request.objects.overdue(now - ESCALATE_AFTER)
                       .filter(escalated_at__isnull=True)
                       .select_for_update(of=("self",)).values_list(*fields))
    if not (to_flag or to_escalate):
        return {"flagged": 0, "escalated": 0}
    for step, rows, field in (("flagged", to_flag, "overdue_flagged_at"),
                              ("escalated", to_escalate, "escalated_at")):
        if not rows:
            continue
        ids = [row[0] for row in rows]
        Request.objects.filter(pk__in=ids, **{f"{field}__isnull": True}).update(**{field: now})
        bulk_audit(Request, [(pk, f"#{pk} {name} {version}") for pk, name, version, *_ in rows],
                   {field: ["None", now.isoformat()]}, actor, now)
        RequestEvent.objects.bulk_create(
            [RequestEvent(request_id=pk, actor=actor, verb=f"{step}_overdue", created_at=now,
                          detail=f"decision was due {timezone.localtime(expected):%Y-%m-%d %H:%M}")
             for pk, _n, _v, expected, _r, _s in rows],
            batch_size=500,
        )
    return {"flagged": len(to_flag), "escalated": len(to_escalate)}
