"""Delegation notices (issue 15 §2): the delegate and the delegator are told when a
delegation of a sign-off duty is made and when it is ended early, once each (keyed by the
delegation); the security team reads them all on the delegations page. Recorded by the
reconciling run, which the delegation service queues after commit."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse

from accounts.models import Delegation

from .models import Notification
from .records import Notice, record


def delegation_notices(*, since: dt.datetime) -> list[Notice]:
    notices = []
    changed = (Delegation.objects.filter(Q(created_at__gte=since) | Q(ended_at__gte=since))
               .select_related("delegator", "delegate", "ended_by").order_by("pk"))
    link = reverse("delegations")
    for made in changed:
        who, to = made.delegator.get_username(), made.delegate.get_username()
        days = f"from {made.starts:%Y-%m-%d} to {made.ends:%Y-%m-%d}"
        if made.created_at >= since:
            notices.append(Notice(
                key=f"delegation:{made.pk}:made", kind=Notification.Kind.DELEGATION,
                subject=f"{who} delegated their {made.role} sign-offs to {to} {days}",
                body=(f"{who} delegated their sign-off duty as {made.role} to {to} {days} "
                      f"(reason: {made.reason}).\n{to} may sign in that role on {who}'s "
                      f"behalf on those days only: never on a request {who} or {to} filed, "
                      "never twice on one request. The delegation ends by itself after its "
                      "last day."),
                link=link, recipients={made.delegator_id, made.delegate_id}))
        if made.ended_at is not None and made.ended_at >= since:
            notices.append(Notice(
                key=f"delegation:{made.pk}:ended", kind=Notification.Kind.DELEGATION,
                subject=f"{who}'s delegation of {made.role} to {to} was ended early",
                body=(f"{made.ended_by.get_username() if made.ended_by else who} ended the "
                      f"delegation of {made.role} to {to} ({days}) on "
                      f"{made.ended_at:%Y-%m-%d %H:%M}: {to} no longer signs for {who}."),
                link=link, recipients={made.delegator_id, made.delegate_id}))
    return notices


def record_delegation_notices(*, since: dt.datetime) -> int:
    return len(record(delegation_notices(since=since)))
