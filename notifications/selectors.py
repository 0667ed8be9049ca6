"""Reads of notices."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db.models import DateTimeField, F, Func, IntegerField, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from campaigns.models import CampaignItem
from governance.compiled import CompiledRead

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


# The menu's counts, compiled once per day (governance.compiled: the campaign items are due
# by the date) and per whether the page knows the unread count; the reader is the parameter.
_menu_reads: dict[tuple[dt.date, bool], CompiledRead] = {}


def _menu_read(today: dt.date, with_unread: bool) -> CompiledRead:
    read = _menu_reads.get((today, with_unread))
    if read is None:
        def build(user_id):
            counts = {"items": _count(CampaignItem.objects.waiting_on(user_id, today))}
            if with_unread:
                counts["unread"] = _count(_unread(user_id))
            return get_user_model().objects.filter(pk=user_id).annotate(
                **counts).values_list(*counts)
        if any(day != today for day, _ in _menu_reads):
            _menu_reads.clear()  # yesterday's
        read = _menu_reads[(today, with_unread)] = CompiledRead(build)
    return read


def menu_counts(user, *, unread: int | None = None) -> dict[str, int]:
    """What the menu counts on every page, in one query: the unread notices (unless the
    page knows them) and the campaign items waiting for the reader's answer."""
    if not getattr(user, "is_authenticated", False):
        return {"unread_notifications": 0, "campaign_items_waiting": 0}
    rows = _menu_read(timezone.localdate(), unread is None).rows(user.pk)
    items, *counted = rows[0] if rows else (0, 0)
    return {"unread_notifications": (counted[0] if counted else unread) or 0,
            "campaign_items_waiting": items or 0}
