"""Notices about overdue reviews, made from the marks the workflow's overdue job sets
(approvals.services.flag_overdue_requests): the reviewer (the security team while nobody
has claimed it) is told once when a request is flagged, the engineering directors once when
it is escalated. It reconciles: a mark of the last week without its notice gets it, even if
the run that set it stopped before telling anyone."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from accounts.roles import Role
from approvals.models import Request
from governance.locks import job_lock

from .models import Notification
from .records import Notice, record, request_path

# The two steps: (key prefix, the mark it is told for).
STEPS = (("overdue", "overdue_flagged_at"), ("escalated", "escalated_at"))


def _late(expected: dt.datetime, at: dt.datetime) -> str:
    hours = int((at - expected).total_seconds() // 3600)
    return f"{hours // 24} day(s) {hours % 24} hour(s)" if hours >= 24 else f"{hours} hour(s)"


def _notice(step: str, row, security: set[int], directors: set[int]) -> Notice:
    pk, key, name, version, expected, reviewer_id, status, marked = row
    due = f"{timezone.localtime(expected):%Y-%m-%d %H:%M}"
    late = _late(expected, marked)
    if step == "overdue":
        return Notice(
            key=key, kind=Notification.Kind.OVERDUE, request_id=pk,
            subject=f"Overdue: request #{pk} ({name} {version}) was due {due}",
            body=(f"The decision on request #{pk} for {name} {version} was due on "
                  f"{due} and it is still {status.replace('_', ' ')}, "
                  f"{late} late.\n\nPlease decide it or tell the "
                  "requester what it waits for."),
            link=request_path(pk),
            recipients={reviewer_id} if reviewer_id else security, to_chat=True,
        )
    return Notice(
        key=key, kind=Notification.Kind.ESCALATED, request_id=pk,
        subject=f"Escalated: request #{pk} ({name} {version}) is {late} overdue",
        body=(f"The decision on request #{pk} for {name} {version} was due on "
              f"{due} and it is still {status.replace('_', ' ')}. It is "
              "escalated to you as engineering director, once."),
        link=request_path(pk), recipients=directors, to_chat=True,
    )


@transaction.atomic
def notify_overdue_requests(*, now: dt.datetime | None = None,
                            within: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Record the notice of every overdue or escalation mark set in the last `within` that
    has none yet. Returns how many it recorded."""
    job_lock("notify_overdue_requests")
    now = now or timezone.now()
    due = {}
    for step, field in STEPS:
        marked = (Request.objects.filter(**{f"{field}__gte": now - within})
                  .annotate(notice_key=Concat(Value(f"{step}:"), Cast("pk", CharField()),
                                              output_field=CharField()))
                  .annotate(told=Exists(Notification.objects.filter(key=OuterRef("notice_key"))))
                  .filter(told=False).order_by("pk"))
        due[step] = list(marked.values_list("pk", "notice_key", "server__name", "version",
                                            "expected_decision", "reviewer_id", "status",
                                            field))
    if not any(due.values()):
        return 0
    users = get_user_model().objects.filter(is_active=True)
    security = set(users.filter(groups__name=Role.SECURITY_TEAM).values_list("pk", flat=True))
    directors = set(users.filter(groups__name=Role.ENGINEERING_DIRECTOR)
                    .values_list("pk", flat=True))
    notices = [_notice(step, row, security, directors)
               for step, _field in STEPS for row in due[step]]
    return len(record(notices, now=now))
