"""The link of every mail and chat notice is the absolute URL of a named route
(PORTAL_BASE_URL + reverse()), wherever the notice is made: in a Celery task, in a
management command, after a page's commit (issue 9). The routes are mounted under /portal/
here, so a notice that wrote a path of its own would point at nothing."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from approvals.models import Request
from governance.models import Organisation
from notifications import delivery, tasks
from notifications.models import Notification
from registry import services as registry_services
from tests.approvals.test_filing import form_data
from tests.factories import ApprovalFactory, RequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.urls_elsewhere")]


def portal_url(settings, name, *args) -> str:
    path = reverse(name, args=args)
    assert path.startswith("/portal/")  # the routes are where this module mounts them
    return f"{settings.PORTAL_BASE_URL}{path}"


def assert_mail_links_to(message, url, settings):
    text, (html, _mimetype) = message.body, message.alternatives[0]
    assert f"Open it in the portal: {url}\n" in text
    assert f'href="{url}"' in html
    notices = portal_url(settings, "notifications")
    assert f"your notifications are listed at {notices}\n" in text
    assert f'href="{notices}"' in html


def test_an_expiry_warning_sent_by_the_management_command_links_to_the_server(
        security, settings):
    ApprovalFactory(server__name="context7", expires=timezone.localdate() + dt.timedelta(days=7))

    call_command("run_jobs", "warn", stdout=StringIO())

    (message,) = mail.outbox
    url = portal_url(settings, "server-detail", "context7")
    assert_mail_links_to(message, url, settings)
    notice = Notification.objects.get()
    assert delivery.chat_payload(notice)["text"].endswith(f"<{url}|Open in the portal>")


def test_a_request_event_told_after_commit_links_to_the_request(
        file, developer, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = file()

    (message,) = [m for m in mail.outbox
                  if developer.email in m.to and m.subject.startswith("New request")]
    assert message.subject.startswith(f"New request #{request.pk}")
    assert_mail_links_to(message, portal_url(settings, "request-detail", request.pk), settings)


def test_an_overdue_notice_from_the_celery_task_links_to_the_request(security, settings):
    request = RequestFactory(expected_decision=timezone.now() - dt.timedelta(hours=2))

    tasks.flag_overdue_requests.delay()

    (message,) = mail.outbox
    assert message.subject.startswith(f"Overdue: request #{request.pk}")
    assert_mail_links_to(message, portal_url(settings, "request-detail", request.pk), settings)


def test_a_review_cycle_reminder_links_to_the_catalog(admin_user, settings):
    Organisation.objects.filter(pk=1).update(
        next_review=timezone.localdate() + dt.timedelta(days=14))

    tasks.review_cycle_reminder.delay()

    (message,) = mail.outbox
    assert_mail_links_to(message, portal_url(settings, "catalog"), settings)


def test_a_revocation_notice_links_to_the_server(
        security, settings, django_capture_on_commit_callbacks):
    approval = ApprovalFactory(server__name="context7")
    with django_capture_on_commit_callbacks(execute=True):
        registry_services.revoke_approval(actor=security, approval=approval,
                                          reason="CVE-2025-0001")

    (message,) = [m for m in mail.outbox if m.subject.startswith("Revoked:")]
    assert_mail_links_to(message, portal_url(settings, "server-detail", "context7"), settings)


def test_a_notice_made_during_a_page_request_takes_its_address_from_the_settings_not_the_host(
        client, developer, security, settings, django_capture_on_commit_callbacks):
    """The Host header is the caller's to choose; a mail link built from it could send the
    people on a request to another site. PORTAL_BASE_URL is the one address of links."""
    settings.PORTAL_BASE_URL = "https://portal.example.com"
    client.force_login(developer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("request-new"), form_data(), HTTP_HOST="localhost")
    assert response.status_code == 302
    (message,) = [m for m in mail.outbox
                  if developer.email in m.to and m.subject.startswith("New request")]
    request = Request.objects.get()
    url = f"https://portal.example.com/portal/requests/{request.pk}/"
    assert portal_url(settings, "request-detail", request.pk) == url
    assert_mail_links_to(message, url, settings)
    assert "localhost" not in message.body + message.alternatives[0][0]


@pytest.mark.django_db(transaction=True)
def test_in_development_a_notice_made_during_a_page_request_links_to_where_the_portal_was_reached(
        client, developer, security, settings):
    """`make run` opened at another address than 127.0.0.1:8000 (DEBUG on, PORTAL_BASE_URL
    unset): the mails sent while serving a page link back to that address, an allowed Host."""
    settings.PORTAL_BASE_URL_FROM_HOST = True
    settings.ALLOWED_HOSTS = ["192.168.1.20"]
    client.force_login(developer)
    response = client.post(reverse("request-new"), form_data(), HTTP_HOST="192.168.1.20:8000")
    assert response.status_code == 302
    (message,) = [m for m in mail.outbox
                  if developer.email in m.to and m.subject.startswith("New request")]
    request = Request.objects.get()
    url = f"http://192.168.1.20:8000{reverse('request-detail', args=[request.pk])}"
    assert f"Open it in the portal: {url}\n" in message.body
    assert settings.PORTAL_BASE_URL not in message.body
