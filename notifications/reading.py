"""What a person has read: opening the notification list marks everything in it read."""

from django.utils import timezone

from .models import NotificationsSeen


def mark_seen(user, *, now=None) -> None:
    NotificationsSeen.objects.update_or_create(
        user=user, defaults={"seen_at": now or timezone.now()})
