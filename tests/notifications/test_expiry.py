"""Expiry warnings and expiry (SPEC §8): once per threshold, set-based, audited, and an
expired approval leaves every deployable file."""

import datetime as dt
import json

import time_machine
from auditlog.models import LogEntry
from django.core import mail
from django.utils import timezone

from notifications import tasks
from notifications.models import Notification
from registry import tasks as registry_tasks
from registry.models import Approval
from registry.selectors import latest_snapshot
from tests.factories import ApprovalFactory, UserFactory


def _warnings_to(address):
    return [m for m in mail.outbox if address in m.to and "expires" in m.subject]


def test_approval_seven_days_from_expiry_gets_one_warning_across_two_runs(
        db, developer, security, tech_lead):
    approval = ApprovalFactory(expires=timezone.localdate() + dt.timedelta(days=7))
    approval.approvers.set([tech_lead])

    tasks.warn_expiring_approvals.delay()
    tasks.warn_expiring_approvals.delay()

    assert len(_warnings_to(security.email)) == 1
    assert len(_warnings_to(tech_lead.email)) == 1
    message = _warnings_to(security.email)[0]
    assert "in 7 days" in message.subject and approval.server.name in message.subject
    assert f"http://127.0.0.1:8000/servers/{approval.server.name}/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="http://127.0.0.1:8000/servers/{approval.server.name}/"' in html


def test_warnings_come_at_30_14_and_7_days_once_each(db, security):
    start = timezone.localdate()
    ApprovalFactory(approved_date=start - dt.timedelta(days=100),
                    expires=start + dt.timedelta(days=35))
    subjects = []
    for day in range(36):
        with time_machine.travel(dt.datetime.combine(start + dt.timedelta(days=day),
                                                     dt.time(0, 20), tzinfo=dt.UTC)):
            mail.outbox.clear()
            tasks.warn_expiring_approvals.delay()
            subjects += [m.subject for m in mail.outbox]

    assert [s.split(" expires ")[1].split(" (")[0] for s in subjects] == [
        "in 30 days", "in 14 days", "in 7 days"]


def test_a_missed_threshold_is_caught_up_by_the_nearest_one_only(db, security):
    ApprovalFactory(expires=timezone.localdate() + dt.timedelta(days=10))

    tasks.warn_expiring_approvals.delay()

    assert [m.subject.split(" expires ")[1][:10] for m in mail.outbox] == ["in 10 days"]
    assert Notification.objects.get().key.endswith(":14")


def test_the_requester_hears_of_the_expiry_of_what_they_asked_for(
        db, file, approve, developer, security, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = approve(file())
    approval = request.resulting_approval
    Approval.objects.filter(pk=approval.pk).update(
        expires=timezone.localdate() + dt.timedelta(days=14))
    mail.outbox.clear()

    tasks.warn_expiring_approvals.delay()

    expires = timezone.localdate() + dt.timedelta(days=14)
    assert [m.subject for m in mail.outbox] == [
        f"context7 1.2.3 expires in 14 days ({expires:%Y-%m-%d})"]
    assert developer.email in mail.outbox[0].to


def test_expired_approval_leaves_managed_mcp_json_and_the_allowlist(
        db, security, platform, django_capture_on_commit_callbacks):
    keep = ApprovalFactory(server__name="keeper")
    gone = ApprovalFactory(server__name="lapsed", approved_date=timezone.localdate() - dt.timedelta(
        days=200), expires=timezone.localdate() - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        registry_tasks.build_export.delay(cause="before")
    assert "lapsed" not in json.loads(latest_snapshot().managed_mcp_json)["mcpServers"]

    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.expire_approvals.delay().get()

    gone.refresh_from_db()
    assert gone.status == "expired" and result["expired"] == 1
    snapshot = latest_snapshot()
    assert list(json.loads(snapshot.managed_mcp_json)["mcpServers"]) == ["keeper"]
    allowed = json.loads(snapshot.managed_settings_json)["allowedMcpServers"]
    assert allowed == [{"serverCommand": [keep.config["command"], *keep.config["args"]]}]
    entry = LogEntry.objects.get_for_object(gone).get(action=LogEntry.Action.UPDATE)
    assert entry.changes == {"status": ["active", "expired"]} and entry.actor.username == "system"
    notices = [m for m in mail.outbox if m.subject.startswith("Expired: lapsed")]
    assert len(notices) == 1 and {security.email, platform.email} <= set(notices[0].to)


def test_expiry_run_twice_expires_and_notifies_once(
        db, security, django_capture_on_commit_callbacks):
    ApprovalFactory(approved_date=timezone.localdate() - dt.timedelta(days=200),
                    expires=timezone.localdate() - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.expire_approvals.delay().get()
    with django_capture_on_commit_callbacks(execute=True):
        second = tasks.expire_approvals.delay().get()

    assert (first["expired"], second["expired"]) == (1, 0)
    assert len([m for m in mail.outbox if m.subject.startswith("Expired:")]) == 1
    assert LogEntry.objects.filter(changes__status=["active", "expired"]).count() == 1


def test_expiring_many_approvals_takes_a_constant_number_of_queries(
        db, django_assert_max_num_queries):
    past = timezone.localdate() - dt.timedelta(days=1)
    for _ in range(30):
        ApprovalFactory(approved_date=past - dt.timedelta(days=100), expires=past)
    UserFactory(username="system", is_active=False)
    from registry.services import expire_due_approvals

    # (three of them chain the audit entries: lock the head, insert the links, move the head)
    with django_assert_max_num_queries(15):
        assert len(expire_due_approvals()) == 30
