"""What waits on a person: the open requests whose route needs a sign-off in a role they
hold, that no one has given yet, that they did not file and have not signed. Counted on
every page (approvals.context_processors) and listed, soonest due first, on "Waiting for
me". The route is the policy's (governance.policy.routing), turned into one query."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, When

from accounts.roles import roles_of
from governance.models import BumpLevel
from governance.policy import routing
from governance.selectors import current_policy

from .models import SIGNABLE_STATUSES, Request, RequestKind, SignOff

POLICY_CACHE_KEY = "approvals:routing-policy"
POLICY_CACHE_SECONDS = 300


def routing_policy() -> routing.PolicyData:
    """The policy in force, from the cache: every page counts what waits on its reader, and
    reading the policy rows costs four queries. Any change of a policy row forgets it
    (forget_routing_policy, connected in ApprovalsConfig.ready)."""
    policy = cache.get(POLICY_CACHE_KEY)
    if policy is None:
        policy = current_policy()
        cache.set(POLICY_CACHE_KEY, policy, POLICY_CACHE_SECONDS)
    return policy


def forget_routing_policy(**kwargs) -> None:
    cache.delete(POLICY_CACHE_KEY)


def _needs(role: str, policy: routing.PolicyData) -> Q:
    """The requests whose route requires `role`, as a condition on their columns: every
    combination of what routing reads (kind, bump level or risk, data scope) is routed by
    the policy function itself, so the query and the request page never disagree."""
    scopes = ("", *routing.DATA_SCOPES)
    condition = Q(pk__in=[])
    for kind in RequestKind.values:
        if kind == RequestKind.VERSION_BUMP:
            variants = [("bump_level", level) for level in ("", *BumpLevel.values)]
        else:
            variants = [("risk", risk) for risk in ("", *routing.RISKS)]
        for column, value in variants:
            needing = [scope for scope in scopes if role in routing.route_for(
                kind=kind, bump_level=value if column == "bump_level" else None,
                risk=value if column == "risk" else None, data_scope=scope,
                policy=policy).required_roles]
            if not needing:
                continue
            clause = Q(kind=kind, **{column: value})
            if len(needing) < len(scopes):
                clause &= Q(scope_in_force__in=needing)
            condition |= clause
    return condition


def waiting_for(user):
    """The requests waiting on `user`'s sign-off, soonest due first (none for someone
    who holds no signing role)."""
    held = [role for role in routing.SIGNING_ROLES if role in roles_of(user)]
    if not held:
        return Request.objects.none()
    policy = routing_policy()
    approved = SignOff.objects.filter(request=OuterRef("pk"), decision=SignOff.Decision.APPROVE)
    needed = Q(pk__in=[])
    for role in held:
        needed |= _needs(role, policy) & ~Exists(approved.filter(role=role))
    return (Request.objects
            .annotate(scope_in_force=Case(When(data_scope="", then=F("proposed_data_scope")),
                                          default=F("data_scope"), output_field=CharField()))
            .filter(status__in=SIGNABLE_STATUSES).exclude(requester=user)
            .exclude(Exists(SignOff.objects.filter(request=OuterRef("pk"), user=user)))
            .filter(needed).order_by("expected_decision", "id"))


def waiting_roles(request: Request, user, policy: routing.PolicyData | None = None) -> list[str]:
    """The roles `user` holds that `request`'s route still needs (for the list's rows)."""
    route = routing.route_for(kind=request.kind, bump_level=request.bump_level or None,
                              risk=request.risk or None,
                              data_scope=request.effective_data_scope,
                              policy=policy or routing_policy())
    given = {s.role for s in request.signoffs.all() if s.decision == SignOff.Decision.APPROVE}
    return [r for r in route.required_roles if r in roles_of(user) and r not in given]
