"""Reads of notices."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import DateTimeField, F, Func, IntegerField, Subquery, Value
from django.db.models.functions import Coalesce

from campaigns.models import CampaignItem

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


def _unread(user):
    seen = NotificationsSeen.objects.filter(user=user).values("seen_at")[:1]
    return Notification.objects.filter(recipients=user).filter(
        created_at__gt=Coalesce(Subquery(seen), Value(NEVER, output_field=DateTimeField())))


def unread_count(user) -> int:
    """The notices that came after `user` last opened the list, in one query."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return _unread(user).count()


def _count(queryset) -> Subquery:
    """SELECT COUNT(*) of `queryset`, as a value of another query."""
    return Subquery(queryset.order_by().values(n=Func(F("pk"), function="COUNT")),
                    output_field=IntegerField())


def menu_counts(user, *, unread: int | None = None) -> dict[str, int]:
    """What the menu counts on every page, in one query: the unread notices (unless the
    page knows them) and the campaign items waiting for the reader's answer."""
    if not getattr(user, "is_authenticated", False):
        return {"unread_notifications": 0, "campaign_items_waiting": 0}
    counts = {"items": _count(CampaignItem.objects.waiting_on(user))}
    if unread is None:
        counts["unread"] = _count(_unread(user))
    values = get_user_model().objects.filter(pk=user.pk).values(**counts).first() or {}
    return {"unread_notifications": values.get("unread", unread) or 0,
            "campaign_items_waiting": values.get("items") or 0}
