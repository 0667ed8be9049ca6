"""Reads of notices."""

from .models import Notification, NotificationsSeen


def notifications_for(user):
    """A user's notices, newest first."""
    return Notification.objects.filter(recipients=user).select_related(
        "request__server", "approval__server").order_by("-created_at", "-id")


def last_seen(user):
    """When `user` last opened their notifications (None: never)."""
    return (NotificationsSeen.objects.filter(user=user)
            .values_list("seen_at", flat=True).first())


def unread_count(user) -> int:
    """The notices that came after `user` last opened the list."""
    if not getattr(user, "is_authenticated", False):
        return 0
    qs = Notification.objects.filter(recipients=user)
    seen = last_seen(user)
    return (qs.filter(created_at__gt=seen) if seen else qs).count()
