"""Per kind of notice, how each person wants it mailed (issue 11, point 11): at once, in a
daily digest, or not at all. In-portal notices are never affected: the list shows them all.
The chat webhook is a shared channel, not a person's, and is left as it is."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import DigestEntry, Notification, NotificationPreference
from .records import absolute

Delivery = NotificationPreference.Delivery


def preferences_of(user) -> dict[str, str]:
    """{kind: delivery} for every kind of notice, the default filled in."""
    chosen = dict(NotificationPreference.objects.filter(user=user)
                  .values_list("kind", "delivery"))
    return {kind: chosen.get(kind, Delivery.IMMEDIATELY) for kind in Notification.Kind.values}


@transaction.atomic
def set_preferences(*, user, choices: dict[str, str]) -> None:
    """Store `user`'s choices ({kind: delivery}); unknown kinds or deliveries are refused by
    the form before this is called."""
    for kind, delivery in choices.items():
        NotificationPreference.objects.update_or_create(user=user, kind=kind,
                                                        defaults={"delivery": delivery})


def sort_recipients(notification: Notification) -> list[str]:
    """The addresses to mail `notification` to now; those who want it in their digest get
    a digest entry instead, those who want no mail of its kind nothing (it stays listed)."""
    people = [u for u in notification.recipients.all() if u.is_active and u.email]
    if not people:
        return []
    chosen = dict(NotificationPreference.objects.filter(
        kind=notification.kind, user__in=people).values_list("user_id", "delivery"))
    later = [u for u in people if chosen.get(u.pk) == Delivery.DAILY]
    DigestEntry.objects.bulk_create(
        [DigestEntry(user=u, notification=notification) for u in later],
        ignore_conflicts=True)
    return sorted({u.email for u in people if chosen.get(u.pk, Delivery.IMMEDIATELY)
                   == Delivery.IMMEDIATELY})


def send_daily_digests(*, now=None) -> int:
    """One mail per person with notices held for their digest, listing them; each entry is
    sent once (marked in the same transaction as its mail). Returns the mails sent."""
    now = now or timezone.now()
    sent = 0
    user_ids = (DigestEntry.objects.filter(sent_at__isnull=True)
                .values_list("user_id", flat=True).distinct())
    for user in get_user_model().objects.filter(pk__in=list(user_ids), is_active=True):
        with transaction.atomic():
            entries = list(DigestEntry.objects.select_for_update(skip_locked=True)
                           .filter(user=user, sent_at__isnull=True)
                           .select_related("notification").order_by("notification__created_at"))
            if not entries:
                continue
            notices = [e.notification for e in entries]
            context = {"notices": [(n, absolute(n.link or reverse("catalog"))) for n in notices],
                       "notifications_url": absolute(reverse("notifications"))}
            text = render_to_string("notifications/digest.txt", context)
            message = EmailMultiAlternatives(
                f"Your daily digest: {len(notices)} notice{'s' if len(notices) != 1 else ''}",
                text, None, [user.email])
            if user.email:
                message.send(fail_silently=False)
                sent += 1
            DigestEntry.objects.filter(pk__in=[e.pk for e in entries]).update(sent_at=now)
    return sent
