"""Changes the background jobs share: audit entries for set-based updates, and the
review-cycle reminder of SPEC §8 (the job lock is in governance.locks)."""

from __future__ import annotations

import datetime as dt

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .locks import job_lock
from .models import Organisation
from .roles import Role

# Reminders before the organisation's next review (days before), then one on the day and
# one a week for as long as the review stays overdue.
REVIEW_REMINDER_DAYS = (14, 7)


def bulk_audit(model, rows: list[tuple[int, str]], changes: dict, actor, now) -> None:
    """django-auditlog entries for rows changed by one set-based update."""
    content_type = ContentType.objects.get_for_model(model)
    text = "; ".join(f"{k}: {v[0]} → {v[1]}" for k, v in changes.items())
    LogEntry.objects.bulk_create(
        [LogEntry(content_type=content_type, object_pk=str(pk), object_id=pk,
                  object_repr=repr_[:200], action=LogEntry.Action.UPDATE, changes=changes,
                  changes_text=text, actor=actor, timestamp=now)
         for pk, repr_ in rows],
        batch_size=500,
    )


def audit_set_update(queryset, *, changes: dict, repr_expression, actor, now) -> int:
    """An UPDATE audit entry for every row of `queryset` in one INSERT ... SELECT, so that a
    set-based change is audited in a constant number of queries however many rows it has."""
    from django.db.models import CharField, DateTimeField, F, IntegerField, JSONField, Value
    from django.db.models.functions import Cast

    content_type = ContentType.objects.get_for_model(queryset.model)
    text = "; ".join(f"{k}: {v[0]} → {v[1]}" for k, v in changes.items())
    columns = {
        "content_type_id": Value(content_type.pk, output_field=IntegerField()),
        "object_pk": Cast("pk", CharField()),
        "object_id": F("pk"),
        "object_repr": repr_expression,
        "action": Value(LogEntry.Action.UPDATE, output_field=IntegerField()),
        "changes_text": Value(text, output_field=CharField()),
        "changes": Value(changes, output_field=JSONField()),
        "actor_id": Value(actor.pk if actor else None, output_field=IntegerField()),
        "timestamp": Value(now, output_field=DateTimeField()),
    }
    aliases = {column: f"audit_{column}" for column in columns}
    select = queryset.order_by().annotate(
        **{aliases[c]: expression for c, expression in columns.items()}
    ).values_list(*aliases.values())
    sql, params = select.query.sql_with_params()
    quote = connection.ops.quote_name
    insert = (
        f"INSERT INTO {quote(LogEntry._meta.db_table)} "
        f"({', '.join(quote(c) for c in columns)}) "
        f"SELECT {', '.join(quote(a) for a in aliases.values())} FROM ({sql}) AS audit_rows"
    )
    with connection.cursor() as cursor:
        cursor.execute(insert, params)
        return cursor.rowcount


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
    from approvals import notifications
    from approvals.models import Notification

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
    created = notifications.record([notifications.Notice(
        key=f"review-cycle:{org.next_review:%Y-%m-%d}:{stage}",
        kind=Notification.Kind.REVIEW_CYCLE, subject=subject, body=body, link=reverse("catalog"),
        recipients=people, to_chat=True,
    )])
    return len(created)
