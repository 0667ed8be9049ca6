"""What waits on a person: the open requests whose route needs a sign-off in a role they
hold, that no one has given yet, that they did not file and have not signed (nor anyone
for them); and, for a delegate, those that wait so on a delegator's role during the
delegation, which the delegator did not file and has not signed. Counted on
every page (approvals.context_processors) and listed, soonest due first, on "Waiting for
me". The route is the policy's (governance.policy.routing), turned into one query."""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, When

from accounts import delegations
from accounts.roles import roles_of
from governance.compiled import CompiledRead
from governance.models import BumpLevel
from governance.policy import routing
from registry.selectors import policy_in_force

from .models import SIGNABLE_STATUSES, Request, RequestKind, SignOff

# The condition of each (role, policy) pair, worked out once per policy read: the count runs on
# every page, and working a route out for every kind, level and scope costs ~100 calls of
# the policy function. Keyed by the policy object's id, checked to be that very object (a
# policy read is one object per registry revision: registry.selectors.policy_in_force).
_needs_memo: dict[tuple[str, int], tuple[routing.PolicyData, Q]] = {}
NEEDS_MEMO_SIZE = 32


def _needs(role: str, policy: routing.PolicyData) -> Q:
    held = _needs_memo.get((role, id(policy)))
    if held is not None and held[0] is policy:
        return held[1]
    if len(_needs_memo) >= NEEDS_MEMO_SIZE:
        _needs_memo.clear()
    condition = _needs_worked_out(role, policy)
    _needs_memo[(role, id(policy))] = (policy, condition)
    return condition


def _needs_worked_out(role: str, policy: routing.PolicyData) -> Q:
    """The requests whose route requires `role`, as a condition on their columns: every
    combination of what routing reads (kind, bump level or risk, data scope) is routed by
    the policy function itself, so the query and the request page never disagree. The
    values of a kind that need the role whatever the data scope are one `IN`, not one
    clause each: the count runs on every page, and a long OR costs its planning and a test
    per row."""
    scopes = ("", *routing.DATA_SCOPES)
    condition = Q(pk__in=[])
    for kind in RequestKind.values:
        if kind == RequestKind.VERSION_BUMP:
            column, values = "bump_level", ("", *BumpLevel.values)
        else:
            column, values = "risk", ("", *routing.RISKS)
        always = []  # the values whose every scope needs the role
        for value in values:
            needing = [scope for scope in scopes if role in routing.route_for(
                kind=kind, bump_level=value if column == "bump_level" else None,
                risk=value if column == "risk" else None, data_scope=scope,
                policy=policy).required_roles]
            if len(needing) == len(scopes):
                always.append(value)
            elif needing:
                condition |= Q(kind=kind, **{column: value, "scope_in_force__in": needing})
        if always:
            condition |= Q(kind=kind, **{f"{column}__in": always})
    return condition


class Grant(NamedTuple):
    """A role signed for someone else, as the waiting query reads it (a Delegation has
    these two attributes too)."""
    role: str
    delegator_id: int


def _held_and_delegated(user) -> tuple[list[str], list]:
    held = [role for role in routing.SIGNING_ROLES if role in roles_of(user)]
    return held, [d for d in delegations.in_force_for(user) if d.role not in held]


def _waiting(user, policy: routing.PolicyData, held: list[str], delegated: list):
    approved = SignOff.objects.filter(request=OuterRef("pk"), decision=SignOff.Decision.APPROVE)
    signed = SignOff.objects.filter(request=OuterRef("pk"))
    needed = Q(pk__in=[])
    for role in held:
        needed |= _needs(role, policy) & ~Exists(approved.filter(role=role))
    for grant in delegated:  # never the delegator's own request, nor one they signed
        needed |= (_needs(grant.role, policy) & ~Exists(approved.filter(role=grant.role))
                   & ~Q(requester=grant.delegator_id)
                   & ~Exists(signed.filter(Q(user=grant.delegator_id)
                                           | Q(on_behalf_of=grant.delegator_id))))
    return (Request.objects
            .annotate(scope_in_force=Case(When(data_scope="", then=F("proposed_data_scope")),
                                          default=F("data_scope"), output_field=CharField()))
            .filter(status__in=SIGNABLE_STATUSES).exclude(requester=user)
            .exclude(Exists(signed.filter(Q(user=user) | Q(on_behalf_of=user))))
            .filter(needed))


def waiting_for(user, policy: routing.PolicyData | None = None):
    """The requests waiting on `user`'s sign-off, soonest due first (none for someone
    who holds no signing role); routed by `policy`, else the policy in force."""
    held, delegated = _held_and_delegated(user)
    if not held and not delegated:
        return Request.objects.none()
    return _waiting(user, policy or policy_in_force(), held, delegated).order_by(
        "expected_decision", "id")


# The menu counts what waits on its reader up to this many ("99+" beyond): the count runs on
# every page, and counting all of thousands of open requests for the security team costs
# a scan of them each time; the "Waiting for me" page lists and counts them all.
WAITING_COUNT_CAP = 100
# The count's statement, compiled once (governance.compiled) per policy content and shape of
# the reader's duties (roles held, roles signed for others): building the query through
# the ORM costs more than running it. The reader and the delegators are its parameters.
_count_reads: dict[tuple, CompiledRead] = {}
COUNT_READS_SIZE = 256


def _count_read(policy: routing.PolicyData, held: tuple[str, ...],
                roles_for_others: tuple[str, ...]) -> CompiledRead:
    key = (repr(policy), held, roles_for_others)
    read = _count_reads.get(key)
    if read is None:
        def build(user_id, delegator_ids):
            grants = [Grant(role=role, delegator_id=delegator)
                      for role, delegator in zip(roles_for_others, delegator_ids, strict=True)]
            return _waiting(user_id, policy, list(held), grants).order_by().values_list(
                "pk")[:WAITING_COUNT_CAP]
        if len(_count_reads) >= COUNT_READS_SIZE:
            _count_reads.clear()
        read = _count_reads[key] = CompiledRead(build)
    return read


def waiting_count(user, policy: routing.PolicyData | None = None) -> int:
    """How many requests wait on `user`'s sign-off, counted up to WAITING_COUNT_CAP."""
    held, delegated = _held_and_delegated(user)
    if not held and not delegated:
        return 0
    read = _count_read(policy or policy_in_force(), tuple(held),
                       tuple(d.role for d in delegated))
    return len(read.rows(user.pk, [d.delegator_id for d in delegated]))


def waiting_roles(request: Request, user, policy: routing.PolicyData | None = None) -> list[str]:
    """The roles `user` holds, or signs for a delegator, that `request`'s route still needs
    (for the list's rows: "tech_lead for ann" when on someone's behalf)."""
    route = routing.route_for(kind=request.kind, bump_level=request.bump_level or None,
                              risk=request.risk or None,
                              data_scope=request.effective_data_scope,
                              policy=policy or policy_in_force())
    given = {s.role for s in request.signoffs.all() if s.decision == SignOff.Decision.APPROVE}
    signers = {s.user_id for s in request.signoffs.all()} | {
        s.on_behalf_of_id for s in request.signoffs.all()}
    labels = []
    for role in route.required_roles:
        if role in given:
            continue
        if role in roles_of(user):
            labels.append(role)
            continue
        labels += [f"{role} for {d.delegator.get_username()}"
                   for d in delegations.in_force_for(user) if d.role == role
                   and d.delegator_id != request.requester_id and d.delegator_id not in signers]
    return labels
