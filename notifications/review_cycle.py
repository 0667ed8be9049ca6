"""The organisation's review cycle (SPEC §8): reminders before and after its next review
date, once per stage."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from governance.locks import job_lock
from governance.models import Organisation

from .models import Notification
from .records import Notice, record

# Reminders before the organisation's next review (days before), then one on the day and
# one a week for as long as the review stays overdue.
REVIEW_REMINDER_DAYS = (14, 7)


def review_reminder_stage(next_review: dt.date, today: dt.date) -> str | None:
    """Which reminder is due: `14-days` and `7-days` before, `due` on the day, then
    `overdue-week-N` each week after; None when none is."""
    days = (next_review - today).days
    if days > max(REVIEW_REMINDER_DAYS):
        return None
    if days > 0:
        step = min(d for d in REVIEW_REMINDER_DAYS if d >= days)
        return f"{step}-days"
    if days == 0:
        return "due"
    weeks = -days // 7
    return f"overdue-week-{weeks}" if weeks >= 1 else None


@transaction.atomic
def review_cycle_reminder(*, today: dt.date | None = None) -> int:
    """Remind the administrators, the registry's owner and the security team of the
    organisation's review cycle before and after its `next_review` date, once per stage.
    Recording the review (moving `next_review`) starts the stages again. Returns the
    reminders recorded (0 or 1)."""
    job_lock("review_cycle_reminder")
    today = today or timezone.localdate()
    org = Organisation.objects.filter(pk=1).first()
    if org is None or org.next_review is None:
        return 0
    stage = review_reminder_stage(org.next_review, today)
    if stage is None:
        return 0
    days = (org.next_review - today).days
    when = (f"is due in {days} day{'s' if days != 1 else ''}, on {org.next_review:%Y-%m-%d}"
            if days > 0 else "is due today" if days == 0 else
            f"is {-days} days overdue (it was due on {org.next_review:%Y-%m-%d})")
    subject = f"The {org.review_cycle} review of the MCP registry {when}"
    last = f"{org.last_reviewed:%Y-%m-%d}" if org.last_reviewed else "never"
    body = (
        f"The {org.review_cycle} review of {org.organization}'s approved MCP servers {when}. "
        f"Last review: {last}.\n\n"
        "Go through the approved servers, their data scope, risk and expiry, and record "
        "the review in the organisation metadata (last reviewed, next review)."
    )
    people = set(get_user_model().objects.filter(is_active=True).filter(
        Q(is_superuser=True) | Q(groups__name=Role.SECURITY_TEAM)
        | Q(email__iexact=org.owner)).values_list("pk", flat=True))
    created = record([Notice(
        key=f"review-cycle:{org.next_review:%Y-%m-%d}:{stage}",
        kind=Notification.Kind.REVIEW_CYCLE, subject=subject, body=body, link=reverse("catalog"),
        recipients=people, to_chat=True,
    )])
    return len(created)
