"""Follow-up work survives a broker, mail or chat outage; notices reach mail, the chat
webhook and the per-user list."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from celery.app.task import Task
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from approvals import services as workflow
from notifications import tasks
from notifications.models import Notification
from registry import tasks as registry_tasks
from registry.models import ExportSnapshot
from registry.selectors import latest_snapshot
from tests.factories import ApprovalFactory, RequestFactory


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def webhook():
    """A chat webhook on 127.0.0.1 that keeps what it is sent."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["Content-Type"], json.loads(body)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", received
    server.shutdown()
    server.server_close()


def test_an_approval_triggers_exactly_one_new_snapshot(
        db, file, approve, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = file()
    before = ExportSnapshot.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        approve(request)

    assert ExportSnapshot.objects.count() == before + 1
    assert "context7" in json.loads(latest_snapshot().managed_mcp_json)["mcpServers"]


def test_with_the_broker_down_filing_and_approving_work_and_the_next_runs_catch_up(
        db, file, approve, developer, security, monkeypatch,
        django_capture_on_commit_callbacks):
    def broker_down(self, *args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(Task, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            request = approve(file())
    assert request.status == "approved"
    assert ExportSnapshot.objects.count() == 0 and mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        registry_tasks.build_export.delay(cause="nightly rebuild")
        tasks.deliver_notifications.delay()
        tasks.deliver_notifications.delay()

    assert "context7" in json.loads(latest_snapshot().managed_mcp_json)["mcpServers"]
    subjects = [m.subject for m in mail.outbox]
    assert f"New request #{request.pk}: context7 1.2.3" in subjects
    assert f"Approved: context7 1.2.3 (request #{request.pk})" in subjects
    assert len(subjects) == len(set(subjects))


def test_a_restricted_request_filed_while_the_broker_was_down_is_told_only_as_denied(
        db, file, developer, security, monkeypatch, django_capture_on_commit_callbacks):
    def broker_down(self, *args, **kwargs):
        raise OperationalError("Connection refused.")

    with monkeypatch.context() as patch:
        patch.setattr(Task, "apply_async", broker_down)
        request = file(proposed_data_scope="RESTRICTED")
    tasks.deliver_notifications.delay()

    assert [m.subject for m in mail.outbox] == [f"Denied: context7 1.2.3 (request #{request.pk})"]
    assert "Reason: RESTRICTED data may not be reached through MCP" in mail.outbox[0].body


def test_notices_of_request_events_are_sent_once_even_when_reconciled(
        db, file, developer, security, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = file()
    tasks.deliver_notifications.delay()

    # The requester hears of the filing; the security team, that its sign-off is waited
    # for: once each, and the security team not twice for one filing.
    assert sorted((m.subject, tuple(m.to)) for m in mail.outbox) == [
        (f"New request #{request.pk}: context7 1.2.3", (developer.email,)),
        (f"Waiting for your sign-off as security_team: request #{request.pk} (context7 1.2.3)",
         (security.email,))]


def test_a_mail_outage_delays_notices_until_the_next_run(db, security, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    RequestFactory(expected_decision=timezone.now() - timezone.timedelta(hours=1))
    tasks.flag_overdue_requests.delay()
    assert Notification.objects.get().mailed_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    tasks.deliver_notifications.delay()
    tasks.deliver_notifications.delay()

    assert [m.subject[:8] for m in mail.outbox if m.subject[:8] == "Overdue:"] == ["Overdue:"]
    assert Notification.objects.get(kind="overdue").mailed_at is not None


def test_job_notices_are_posted_to_the_chat_webhook_once(db, security, settings, webhook):
    url, received = webhook
    settings.NOTIFY_WEBHOOK_URL = url
    approval = ApprovalFactory(expires=timezone.localdate() + timezone.timedelta(days=7))

    tasks.warn_expiring_approvals.delay()
    tasks.warn_expiring_approvals.delay()

    assert len(received) == 1
    content_type, payload = received[0]
    assert content_type == "application/json"
    assert f"*{approval.server.name} 1.2.3 expires in 7 days" in payload["text"]
    assert f"<http://127.0.0.1:8000/servers/{approval.server.name}/|Open in the portal>" in (
        payload["text"])
    assert payload["blocks"][0]["text"]["type"] == "mrkdwn"


def test_a_chat_outage_is_retried_by_the_next_run(db, security, settings, webhook):
    url, received = webhook
    settings.NOTIFY_WEBHOOK_URL = f"http://127.0.0.1:{closed_port()}/hook"
    ApprovalFactory(expires=timezone.localdate() + timezone.timedelta(days=7))
    tasks.warn_expiring_approvals.delay()
    assert received == [] and len(mail.outbox) == 1

    settings.NOTIFY_WEBHOOK_URL = url
    tasks.deliver_notifications.delay()
    tasks.deliver_notifications.delay()

    assert len(received) == 1 and len(mail.outbox) == 1


def test_users_see_their_own_notifications(client, db, security, developer,
                                           django_assert_max_num_queries):
    for days in (7, 14, 30):
        ApprovalFactory(expires=timezone.localdate() + timezone.timedelta(days=days))
    tasks.warn_expiring_approvals.delay()

    client.force_login(security)
    # The same few queries however many notices (two of them mark the list read), and the
    # count of what waits on the reader's sign-off (one, and the policy's four uncached).
    with django_assert_max_num_queries(15):
        page = client.get(reverse("notifications"))
    assert page.status_code == 200
    assert page.content.decode().count('class="notification ') == 3
    assert "expires in 7 days" in page.content.decode()

    client.force_login(developer)
    assert "No notifications yet" in client.get(reverse("notifications")).content.decode()


def test_the_notification_list_needs_a_sign_in(client, db):
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


class RefusingBackend:
    """The mail server as it answers a mailbox that no longer exists (outside the machine)."""

    def __new__(cls, *args, **kwargs):
        import smtplib

        from django.core.mail.backends.locmem import EmailBackend

        class Backend(EmailBackend):
            def send_messages(self, messages):
                for message in messages:
                    if "gone@company.com" in message.to:
                        raise smtplib.SMTPRecipientsRefused({"gone@company.com": (550, b"no")})
                return super().send_messages(messages)

        return Backend(*args, **kwargs)


def test_one_refused_message_does_not_hold_up_the_others(db, settings):
    from tests.factories import UserFactory

    settings.EMAIL_BACKEND = "tests.notifications.test_outage_and_delivery.RefusingBackend"
    UserFactory(username="gone", email="gone@company.com", roles=["security_team"])
    first = RequestFactory(expected_decision=timezone.now() - timezone.timedelta(hours=2))
    RequestFactory(expected_decision=timezone.now() - timezone.timedelta(hours=1),
                   reviewer=UserFactory(username="rev", email="rev@company.com",
                                        roles=["security_team"]))
    tasks.flag_overdue_requests.delay()
    tasks.deliver_notifications.delay()
    assert any("rev@company.com" in m.to for m in mail.outbox)
    assert Notification.objects.filter(request=first, mailed_at__isnull=True).exists()


def test_what_people_wrote_cannot_ping_or_disguise_a_link_in_the_chat(
        db, file, tech_lead, settings, webhook, django_capture_on_commit_callbacks):
    url, received = webhook
    settings.NOTIFY_WEBHOOK_URL = url
    request = file()
    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="deny",
                          reason="<!channel> ask <@U123> & see <https://evil.example|the docs>",
                          alternative="Use <!here> instead.")

    texts = [payload["text"] for _, payload in received]
    assert len(texts) == 1 and texts[0].startswith("*Denied: context7 1.2.3")
    text = texts[0]
    # Slack's control characters, as its formatting reference says to send them as text.
    assert ("Reason: &lt;!channel&gt; ask &lt;@U123&gt; &amp; see "
            "&lt;https://evil.example|the docs&gt;") in text
    assert "Alternative: Use &lt;!here&gt; instead." in text
    # The only markup left is the portal's own link.
    assert text.count("<") == 1 and text.endswith(
        f"<http://127.0.0.1:8000/requests/{request.pk}/|Open in the portal>")
    assert received[0][1]["blocks"][0]["text"]["text"] == text
