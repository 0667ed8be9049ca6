"""Reads of notices."""

import datetime as dt

from django.db.models import DateTimeField, Subquery, Value
from django.db.models.functions import Coalesce

from .models import Notification, NotificationsSeen

# Before any notice: the "last seen" of someone who never opened the list.
NEVER = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def notifications_for(user):
    """A user's notices, newest first."""
    return Notification.objects.filter(recipients=user).select_related(
        "request__server", "approval__server").order_by("-created_at", "-id")


def last_seen(user):
    """When `user` last opened their notifications (None: never)."""
    return (NotificationsSeen.objects.filter(user=user)
            .values_list("seen_at", flat=True).first())


def unread_count(user) -> int:
    """The notices that came after `user` last opened the list, in one query."""
    if not getattr(user, "is_authenticated", False):
        return 0
    seen = NotificationsSeen.objects.filter(user=user).values("seen_at")[:1]
    return Notification.objects.filter(recipients=user).filter(
        created_at__gt=Coalesce(Subquery(seen), Value(NEVER, output_field=DateTimeField()))).count()
