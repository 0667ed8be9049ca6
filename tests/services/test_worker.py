"""The jobs of SPEC §8 on a real Celery worker, Redis and PostgreSQL."""

import datetime as dt
import json
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals import services as workflow
from approvals.models import Request, RequestStatus
from notifications.models import Notification
from registry.models import Approval, ExportSnapshot
from registry.selectors import latest_snapshot
from tests.factories import ApprovalFactory, RequestFactory, UserFactory, stdio_config

from .conftest import PORTAL, celery_broker, closed_port, drain, run

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(live):
    return {
        "dev": UserFactory(username="dev", email="dev@company.com"),
        "lead": UserFactory(username="lead", roles=["tech_lead"]),
        "sec": UserFactory(username="sec", roles=["security_team"]),
        "director": UserFactory(username="director", roles=["engineering_director"]),
        "platform": UserFactory(username="platform", roles=["platform_team"]),
    }


def _file_and_approve(people):
    request = workflow.file_request(
        actor=people["dev"], kind="new_server", server_name="context7", version="1.2.3",
        source="https://github.com/context7/mcp-server", package="@context7/mcp-server",
        package_registry="npm", proposed_data_scope="PUBLIC", use_case="Docs lookup.",
        config=stdio_config("@context7/mcp-server", "1.2.3"))
    workflow.assign(actor=people["sec"], request=request)
    workflow.set_assessment(actor=people["sec"], request=request, risk="LOW")
    workflow.sign_off(actor=people["lead"], request=request, role="tech_lead",
                      decision="approve", comment="ok")
    workflow.sign_off(actor=people["sec"], request=request, role="security_team",
                      decision="approve", comment="Reviewed: read-only.")
    request.refresh_from_db()
    return request


def test_approval_seven_days_from_expiry_gets_one_warning_across_two_runs(live, people):
    approval = ApprovalFactory(server__name="context7",
                               expires=timezone.localdate() + dt.timedelta(days=7))
    approval.approvers.set([people["lead"]])

    first = run("registry.warn_expiring_approvals")
    second = run("registry.warn_expiring_approvals")

    assert (first, second) == ({"warnings": 1, "mailed": 1}, {"warnings": 0, "mailed": 0})
    expected = f"context7 1.2.3 expires in 7 days ({approval.expires:%Y-%m-%d})"
    assert live.mailbox.subjects(to="sec@company.com") == [expected]
    assert live.mailbox.subjects(to="lead@company.com") == [expected]
    assert live.webhook.texts() == [
        f"*{expected}*\n" + Notification.objects.get().body
        + "\n<http://portal.test/servers/context7/|Open in the portal>"]


def test_expired_approval_leaves_managed_mcp_json_and_the_allowlist(live, people):
    today = timezone.localdate()
    ApprovalFactory(server__name="keeper")
    lapsed = ApprovalFactory(server__name="lapsed", approved_date=today - dt.timedelta(days=90),
                             expires=today - dt.timedelta(days=1))
    run("registry.build_export", cause="before")
    assert list(json.loads(latest_snapshot().managed_mcp_json)["mcpServers"]) == ["keeper"]

    result = run("registry.expire_approvals")
    drain()  # the rebuild it queued after commit

    lapsed.refresh_from_db()
    assert result["expired"] == 1 and lapsed.status == Approval.Status.EXPIRED
    snapshot = latest_snapshot()
    assert snapshot.cause == "1 approval(s) expired"
    assert list(json.loads(snapshot.managed_mcp_json)["mcpServers"]) == ["keeper"]
    allowed = json.dumps(json.loads(snapshot.managed_settings_json)["allowedMcpServers"])
    assert "lapsed" not in allowed and "keeper" in allowed
    assert live.mailbox.subjects(to="platform@company.com") == [
        f"Expired: lapsed 1.2.3 (on {lapsed.expires:%Y-%m-%d})"]
    assert run("registry.expire_approvals") == {"expired": 0, "notices": 0, "mailed": 0}


def test_overdue_request_is_flagged_and_escalated_once(live, people):
    request = RequestFactory(server__name="slowpoke", reviewer=people["sec"],
                             expected_decision=timezone.now() - dt.timedelta(days=3))

    first = run("approvals.flag_overdue_requests")
    second = run("approvals.flag_overdue_requests")

    assert first == {"flagged": 1, "escalated": 1, "mailed": 2}
    assert second == {"flagged": 0, "escalated": 0, "mailed": 0}
    request.refresh_from_db()
    assert request.overdue_flagged_at and request.escalated_at
    to_reviewer = live.mailbox.subjects(to="sec@company.com")
    to_director = live.mailbox.subjects(to="director@company.com")
    assert len(to_reviewer) == 1 and to_reviewer[0].startswith(
        f"Overdue: request #{request.pk} (slowpoke 1.0.0) was due")
    assert len(to_director) == 1 and to_director[0].startswith(
        f"Escalated: request #{request.pk} (slowpoke 1.0.0) is 3 day(s)")
    assert len(live.webhook.received) == 2


def test_an_approval_triggers_exactly_one_new_snapshot(live, people):
    request = workflow.file_request(
        actor=people["dev"], kind="new_server", server_name="context7", version="1.2.3",
        source="https://github.com/context7/mcp-server", package="@context7/mcp-server",
        package_registry="npm", proposed_data_scope="PUBLIC", use_case="Docs lookup.",
        config=stdio_config("@context7/mcp-server", "1.2.3"))
    workflow.assign(actor=people["sec"], request=request)  # the YAML shows the reviewer
    run("registry.build_export", cause="before")
    before = ExportSnapshot.objects.count()

    workflow.set_assessment(actor=people["sec"], request=request, risk="LOW")
    workflow.sign_off(actor=people["lead"], request=request, role="tech_lead",
                      decision="approve", comment="ok")
    workflow.sign_off(actor=people["sec"], request=request, role="security_team",
                      decision="approve", comment="Reviewed: read-only.")
    drain()

    assert ExportSnapshot.objects.count() == before + 1
    assert "context7" in json.loads(latest_snapshot().managed_mcp_json)["mcpServers"]
    assert f"Approved: context7 1.2.3 (request #{request.pk})" in live.mailbox.subjects(
        to="dev@company.com")


def test_with_redis_down_filing_and_approving_work_and_the_next_runs_catch_up(live, people):
    started = time.monotonic()
    with celery_broker(f"redis://127.0.0.1:{closed_port()}/0", live.queue, results=False):
        request = _file_and_approve(people)
    assert time.monotonic() - started < 15  # each refused queueing gives up within a second
    assert request.status == RequestStatus.APPROVED
    assert Request.objects.get(pk=request.pk).resulting_approval.status == "active"
    assert ExportSnapshot.objects.count() == 0 and live.mailbox.subjects() == []

    # Redis is back: the nightly export and the reconciling run do what was owed.
    run("registry.build_export", cause="nightly rebuild")
    run("approvals.deliver_notifications")

    assert "context7" in json.loads(latest_snapshot().managed_mcp_json)["mcpServers"]
    subjects = live.mailbox.subjects(to="dev@company.com")
    assert f"New request #{request.pk}: context7 1.2.3" in subjects
    assert f"Approved: context7 1.2.3 (request #{request.pk})" in subjects
    assert len(subjects) == len(set(subjects))
    assert run("approvals.deliver_notifications") == {"recorded": 0, "mailed": 0}


def test_a_notice_made_by_the_worker_links_to_the_named_route(live, people):
    """The worker has no HTTP request: reverse() reads the URLconf from the settings and the
    address comes from PORTAL_BASE_URL (issue 9)."""
    request = workflow.file_request(
        actor=people["dev"], kind="new_server", server_name="context7", version="1.2.3",
        source="https://github.com/context7/mcp-server", package="@context7/mcp-server",
        package_registry="npm", proposed_data_scope="PUBLIC", use_case="Docs lookup.",
        config=stdio_config("@context7/mcp-server", "1.2.3"))
    drain()

    # The requester hears of the filing (the security team, of their turn: issue 11):
    # the filing's notice is the one checked here.
    (message,) = [m for m in live.mailbox.messages() if "dev@company.com" in m["To"]
                  and m["Subject"].startswith(f"New request #{request.pk}")]
    text = message.get_payload(0).get_payload(decode=True).decode()
    url = f"{PORTAL}{reverse('request-detail', args=[request.pk])}"
    assert f"Open it in the portal: {url}\n" in text
    assert f"your notifications are listed at {PORTAL}{reverse('notifications')}\n" in text
