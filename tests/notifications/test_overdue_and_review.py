"""Overdue reviews are flagged and escalated once; the review cycle is reminded once per
stage (SPEC §8)."""

import datetime as dt

import time_machine
from auditlog.models import LogEntry
from django.core import mail
from django.utils import timezone

from approvals.models import Request, RequestEvent
from governance.models import Organisation
from notifications import tasks
from tests.factories import RequestFactory


def _mails(word):
    return [m for m in mail.outbox if m.subject.startswith(word)]


def test_overdue_request_is_flagged_and_its_reviewer_told_once(db, security, director):
    request = RequestFactory(reviewer=security,
                             expected_decision=timezone.now() - dt.timedelta(hours=2))

    tasks.flag_overdue_requests.delay()
    tasks.flag_overdue_requests.delay()

    request.refresh_from_db()
    assert request.overdue_flagged_at is not None and request.escalated_at is None
    assert [m.to for m in _mails("Overdue:")] == [[security.email]]
    assert _mails("Escalated:") == []
    assert RequestEvent.objects.filter(request=request, verb="flagged_overdue").count() == 1
    audit = LogEntry.objects.get_for_object(request).filter(action=LogEntry.Action.UPDATE)
    assert [list(e.changes) for e in audit] == [["overdue_flagged_at"]]


def test_unclaimed_overdue_request_goes_to_the_security_team(db, security, second_security):
    RequestFactory(expected_decision=timezone.now() - dt.timedelta(minutes=5))

    tasks.flag_overdue_requests.delay()

    assert sorted(_mails("Overdue:")[0].to) == sorted([security.email, second_security.email])


def test_request_a_day_overdue_is_escalated_to_the_director_once(db, security, director):
    request = RequestFactory(reviewer=security,
                             expected_decision=timezone.now() - dt.timedelta(hours=1))
    tasks.flag_overdue_requests.delay()
    for hours in (24, 25, 48):
        with time_machine.travel(timezone.now() + dt.timedelta(hours=hours)):
            tasks.flag_overdue_requests.delay()

    request.refresh_from_db()
    assert request.escalated_at is not None
    assert [m.to for m in _mails("Escalated:")] == [[director.email]]
    assert len(_mails("Overdue:")) == 1


def test_decided_and_not_yet_due_requests_are_left_alone(db, security, director):
    RequestFactory(status="approved", expected_decision=timezone.now() - dt.timedelta(days=3))
    RequestFactory(expected_decision=timezone.now() + dt.timedelta(hours=1))

    assert tasks.flag_overdue_requests.delay().get() == {"flagged": 0, "escalated": 0,
                                                          "mailed": 0}
    assert not Request.objects.filter(overdue_flagged_at__isnull=False).exists()


def test_review_cycle_is_reminded_before_on_and_after_the_date_once_per_stage(
        db, admin_user, security):
    start = timezone.localdate()
    Organisation.objects.filter(pk=1).update(next_review=start + dt.timedelta(days=20))
    seen = []
    for day in range(36):
        with time_machine.travel(dt.datetime.combine(start + dt.timedelta(days=day),
                                                     dt.time(8), tzinfo=dt.UTC)):
            mail.outbox.clear()
            tasks.review_cycle_reminder.delay()
            tasks.review_cycle_reminder.delay()
            seen += [(day, m.subject, m.to) for m in mail.outbox]

    assert [day for day, _, _ in seen] == [6, 13, 20, 27, 34]
    assert "due in 14 days" in seen[0][1] and "due today" in seen[2][1]
    assert "7 days overdue" in seen[3][1]
    assert {admin_user.email, security.email} <= set(seen[0][2])
