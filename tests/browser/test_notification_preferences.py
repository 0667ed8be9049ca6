"""Each person chooses how each kind of notice reaches them by e-mail (issue 11, point 11),
in headless Chromium: the choice is kept, and a notice not mailed still shows in the portal."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from notifications.models import NotificationPreference

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_approver_turns_off_sign_off_mails_and_still_sees_the_notice(
        sign_in, tech_lead, security, file, screenshot):
    page = sign_in(tech_lead)
    page.goto("/notifications/")
    page.get_by_role("link", name="Choose how each kind reaches you by e-mail").click()
    expect(page.locator("h1")).to_have_text("Notification preferences")
    page.get_by_label("Sign-off waiting for you").select_option(label="Not by e-mail")
    page.get_by_label("Review overdue").select_option(label="Daily digest")
    page.get_by_role("button", name="Save preferences").click()
    expect(page.locator(".messages")).to_contain_text(
        "Your notification preferences were saved.")
    expect(page.get_by_label("Sign-off waiting for you")).to_have_value("never")
    expect(page.get_by_label("Review overdue")).to_have_value("daily")
    expect(page.get_by_label("Request update")).to_have_value("immediately")
    screenshot(page, "notification-preferences-saved")
    assert dict(NotificationPreference.objects.filter(user=tech_lead)
                .values_list("kind", "delivery"))["signoff_waiting"] == "never"

    request = file()
    assert not [m for m in mail.outbox if tech_lead.email in m.to]
    assert [m for m in mail.outbox if security.email in m.to]  # others are mailed as before
    page.goto("/notifications/")
    expect(page.locator("main")).to_contain_text(
        f"Waiting for your sign-off as tech_lead: request #{request.pk}")
