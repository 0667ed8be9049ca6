"""Notification preferences per kind (issue 11, point 11): immediately, a daily digest, or
not by e-mail; the portal's list keeps every notice whatever is chosen."""

import pytest
from django.core import mail
from django.urls import reverse

from notifications import tasks
from notifications.models import DigestEntry, Notification, NotificationPreference

pytestmark = pytest.mark.django_db


def choose(client, **choices):
    data = {kind: "immediately" for kind in Notification.Kind.values}
    return client.post(reverse("notification-preferences"), {**data, **choices})


def file_and_tell(file, capture):
    with capture(execute=True):
        return file()


def test_no_mail_of_a_kind_keeps_it_in_the_portal(file, tech_lead, client_for,
                                                  django_capture_on_commit_callbacks):
    client = client_for(tech_lead)
    assert choose(client, signoff_waiting="never").status_code == 302
    request = file_and_tell(file, django_capture_on_commit_callbacks)
    assert not [m for m in mail.outbox if tech_lead.email in m.to]
    page = client.get(reverse("notifications")).content.decode()
    assert f"Waiting for your sign-off as tech_lead: request #{request.pk}" in page


def test_a_daily_digest_holds_the_notices_and_mails_them_once(
        file, tech_lead, security, client_for, django_capture_on_commit_callbacks):
    choose(client_for(tech_lead), signoff_waiting="daily")
    request = file_and_tell(file, django_capture_on_commit_callbacks)
    assert not [m for m in mail.outbox if tech_lead.email in m.to]
    # Others are told at once as before.
    assert [m for m in mail.outbox if security.email in m.to]

    tasks.send_daily_digests.delay()
    tasks.send_daily_digests.delay()
    (digest,) = [m for m in mail.outbox if tech_lead.email in m.to]
    assert digest.subject == "Your daily digest: 1 notice"
    assert f"Waiting for your sign-off as tech_lead: request #{request.pk}" in digest.body
    assert f"/requests/{request.pk}/" in digest.body
    assert DigestEntry.objects.get().sent_at is not None


def test_the_preferences_page_shows_and_keeps_the_choices(tech_lead, client_for):
    client = client_for(tech_lead)
    page = client.get(reverse("notification-preferences")).content.decode()
    assert "Sign-off waiting for you" in page and "Daily digest" in page
    choose(client, overdue="daily")
    assert NotificationPreference.objects.get(user=tech_lead, kind="overdue").delivery == "daily"
    page = client.get(reverse("notification-preferences")).content.decode()
    assert '<option value="daily" selected>' in page


def test_an_unknown_choice_is_refused_naming_the_kind_and_saves_nothing(tech_lead,
                                                                        client_for):
    response = choose(client_for(tech_lead), overdue="hourly")
    assert response.status_code == 400
    assert "Select a valid choice. hourly is not one of the available choices." in (
        response.content.decode())
    assert not NotificationPreference.objects.exists()
