"""Reads of notices."""

from .models import Notification


def notifications_for(user):
    """A user's notices, newest first."""
    return Notification.objects.filter(recipients=user).select_related(
        "request__server", "approval__server").order_by("-created_at", "-id")
