"""What a person has read: opening the notification list marks everything in it read."""

from django.utils import timezone

from .models import NotificationsSeen


def mark_seen(user, *, now=None) -> None:
    """One statement (an upsert), however often the list is opened."""
    NotificationsSeen.objects.bulk_create(
        [NotificationsSeen(user=user, seen_at=now or timezone.now())],
        update_conflicts=True, unique_fields=["user"], update_fields=["seen_at"])
