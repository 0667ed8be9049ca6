"""Follow-up work is sent by task name: it runs in-process without a broker, only after
commit, and every name the beat schedule stores is a task this process knows."""

import pytest
from celery import current_app
from django.db import transaction
from django_celery_beat.models import PeriodicTask

from governance.transactions import after_commit_task, send_task
from registry.models import ExportSnapshot
from tests.factories import ApprovalFactory


def test_a_task_sent_by_name_runs_in_process_when_no_broker_is_set(db, settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER  # the embedded default: CELERY_BROKER_URL unset
    ApprovalFactory(server__name="context7")

    result = send_task("registry.build_export", cause="sent by name")

    snapshot = ExportSnapshot.objects.get()
    assert result.get() == snapshot.pk and snapshot.cause == "sent by name"


def test_a_task_queued_after_commit_waits_for_the_commit_and_not_for_a_rollback(
        db, django_capture_on_commit_callbacks):
    ApprovalFactory(server__name="context7")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        after_commit_task("registry.build_export", cause="committed")
        assert not ExportSnapshot.objects.exists()
    assert len(callbacks) == 1 and ExportSnapshot.objects.get().cause == "committed"

    with (django_capture_on_commit_callbacks(execute=True) as callbacks,
          pytest.raises(RuntimeError), transaction.atomic()):
        after_commit_task("registry.build_export", cause="rolled back")
        raise RuntimeError
    assert callbacks == [] and ExportSnapshot.objects.count() == 1


def test_every_scheduled_task_name_is_a_registered_task(db):
    """django-celery-beat stores task names as text: a task that moved to another app keeps
    its name, or beat would send a name no worker knows."""
    scheduled = set(PeriodicTask.objects.exclude(task__startswith="celery.")
                    .values_list("task", flat=True))
    assert scheduled == {
        "registry.expire_approvals", "registry.warn_expiring_approvals",
        "registry.build_export", "approvals.flag_overdue_requests",
        "governance.review_cycle_reminder", "approvals.deliver_notifications",
        "registry.watch_upstream_releases", "notifications.send_daily_digests",
        "campaigns.run_campaigns",
        "approvals.inspect_pending",
        "audit.verify_chain",
    }
    assert scheduled <= set(current_app.tasks)


def test_every_task_sent_by_name_is_registered():
    for name in ("approvals.notify_request_event", "approvals.deliver_notifications",
                 "campaigns.notify_campaign_started",
                 "registry.build_export", "approvals.inspect_request",
                 "approvals.inspect_approval"):
        assert name in current_app.tasks
