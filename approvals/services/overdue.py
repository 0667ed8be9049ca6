"""The overdue-review job's state change (SPEC §8): flag, then escalate, once each."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from audit.actors import system_user
from audit.writes import bulk_audit
from governance.locks import job_lock

from ..models import Request, RequestEvent

# A review still open this long after its due date goes to the engineering directors.
ESCALATE_AFTER = dt.timedelta(hours=24)


@transaction.atomic
def flag_overdue_requests(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Open requests past `expected_decision` are flagged once and their reviewer (the
    security team while nobody has claimed it) is to be told; still open a day after the due
    date, they are escalated once to the engineering directors (SPEC §8). Set-based: one
    update per step with bulk audit entries and timeline events. The notices are made from
    the marks (`overdue_flagged_at`, `escalated_at`) by notifications.overdue_notices."""
    job_lock("flag_overdue_requests")
    now = now or timezone.now()
    actor = system_user()
    fields = ("pk", "server__name", "version", "expected_decision", "reviewer_id", "status")
    to_flag = list(Request.objects.overdue(now).filter(overdue_flagged_at__isnull=True)
                   .select_for_update(of=("self",)).values_list(*fields))
    to_escalate = list(Request.objects.overdue(now - ESCALATE_AFTER)
                       .filter(escalated_at__isnull=True)
                       .select_for_update(of=("self",)).values_list(*fields))
    if not (to_flag or to_escalate):
        return {"flagged": 0, "escalated": 0}
    for step, rows, field in (("flagged", to_flag, "overdue_flagged_at"),
                              ("escalated", to_escalate, "escalated_at")):
        if not rows:
            continue
        ids = [row[0] for row in rows]
        Request.objects.filter(pk__in=ids, **{f"{field}__isnull": True}).update(**{field: now})
        bulk_audit(Request, [(pk, f"#{pk} {name} {version}") for pk, name, version, *_ in rows],
                   {field: ["None", now.isoformat()]}, actor, now)
        RequestEvent.objects.bulk_create(
            [RequestEvent(request_id=pk, actor=actor, verb=f"{step}_overdue", created_at=now,
                          detail=f"decision was due {timezone.localtime(expected):%Y-%m-%d %H:%M}")
             for pk, _n, _v, expected, _r, _s in rows],
            batch_size=500,
        )
    return {"flagged": len(to_flag), "escalated": len(to_escalate)}
