"""Delegations as the rest of the portal reads them (issue 15 §2): who is a delegate today,
the roles someone may sign in for a delegator today, and the delegations behind them as
the rule (governance.policy.delegation) takes them. Days are the portal's
(timezone.localdate: TIME_ZONE in the settings)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.utils import timezone

from governance.policy.delegation import Grant

from .models import Delegation

DELEGATES_CACHE_KEY = "accounts:delegates-today"
DELEGATES_CACHE_SECONDS = 3600


def delegates_today(today: dt.date | None = None) -> frozenset[int]:
    """The ids of everyone a delegation is in force for today, from the cache: every page
    asks whether its reader may sign for someone, and for nearly everyone the answer is no
    without a query. Any change of a delegation forgets it (forget_delegates)."""
    today = today or timezone.localdate()
    cached = cache.get(DELEGATES_CACHE_KEY)
    if cached is not None and cached[0] == today:
        return cached[1]
    ids = frozenset(Delegation.objects.filter(
        ended_at__isnull=True, starts__lte=today, ends__gte=today,
    ).values_list("delegate_id", flat=True))
    cache.set(DELEGATES_CACHE_KEY, (today, ids), DELEGATES_CACHE_SECONDS)
    return ids


def forget_delegates(**kwargs) -> None:
    cache.delete(DELEGATES_CACHE_KEY)


def with_delegator_holding(queryset):
    """Annotate `delegator_holds_role`: the delegator is active and in the role's group (a
    delegation lapses with its delegator's role, at once)."""
    return queryset.annotate(delegator_holds_role=Exists(Group.objects.filter(
        user=OuterRef("delegator"), user__is_active=True, name=OuterRef("role"))))


def grant_of(delegation: Delegation) -> Grant:
    return Grant(delegator=delegation.delegator_id, delegate=delegation.delegate_id,
                 role=delegation.role, starts=delegation.starts, ends=delegation.ends,
                 ended=delegation.ended_at is not None,
                 delegator_holds_role=getattr(delegation, "delegator_holds_role", True))


def received(user, today: dt.date | None = None, *, role: str | None = None) -> list[Delegation]:
    """The delegations to `user` around today (recent, in force and to come; with role, of
    that role only), each with `delegator_holds_role`; none without a query for someone who is
    no delegate today and asks for no role's refusal."""
    today = today or timezone.localdate()
    if role is None and user.pk not in delegates_today(today):
        return []
    qs = Delegation.objects.filter(delegate=user, ends__gte=today - dt.timedelta(days=31))
    if role is not None:
        qs = qs.filter(role=role)
    return list(with_delegator_holding(qs).select_related("delegator").order_by(
        "delegator_id", "starts"))


def in_force_for(user, today: dt.date | None = None) -> list[Delegation]:
    """The delegations `user` may sign by today, cached on the user for one request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    today = today or timezone.localdate()
    cached = getattr(user, "_portal_delegations", None)
    if cached is None or cached[0] != today:
        current = [d for d in received(user, today)
                   if grant_of(d).in_force(today)]
        cached = (today, current)
        user._portal_delegations = cached
    return cached[1]


def delegated_roles(user, today: dt.date | None = None) -> frozenset[str]:
    """The roles `user` may sign in today on someone's behalf."""
    return frozenset(d.role for d in in_force_for(user, today))
