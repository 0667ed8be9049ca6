"""Small things a person notices at once (issue 11, loose ends), in headless Chromium."""

import pytest
from playwright.sync_api import expect

from approvals.models import Request
from notifications.models import Notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_withdrawing_asks_first_and_only_the_confirmation_withdraws(sign_in, developer, file,
                                                                    screenshot):
    request = file()
    page = sign_in(developer)
    page.goto(f"/requests/{request.pk}/")
    confirm = page.get_by_role("button", name=f"Yes, withdraw request #{request.pk}")
    expect(confirm).to_be_hidden()

    page.get_by_text("Withdraw request…").click()
    expect(confirm).to_be_visible()
    expect(page.locator("#withdraw")).to_contain_text("This cannot be undone")
    screenshot(page, "request-withdraw-confirmation")
    request.refresh_from_db()
    assert request.status != "withdrawn"  # opening the question changed nothing

    confirm.click()
    expect(page.locator(".messages")).to_contain_text("The request was withdrawn.")
    expect(page.locator("#request-status")).to_have_text("Withdrawn")
    assert Request.objects.get(pk=request.pk).status == "withdrawn"


def test_after_a_failed_submit_the_keyboard_starts_at_the_problems(sign_in, developer):
    page = sign_in(developer)
    page.goto("/requests/new/")
    page.get_by_role("button", name="File the request").click()
    errors = page.locator(".form-errors")
    expect(errors).to_be_visible()
    expect(errors).to_be_focused()


def test_a_new_notice_is_counted_in_the_header_until_it_is_read(sign_in, developer):
    notice = Notification.objects.create(key="test:approved", kind="request_event",
                                         subject="Request #9 was approved", body="Approved.")
    notice.recipients.add(developer)
    page = sign_in(developer)
    menu = page.locator(".usermenu summary")
    expect(menu).to_contain_text("1 unread notification")
    menu.click()
    page.get_by_role("link", name="Notifications 1 new").click()
    expect(page.locator(".notification")).to_contain_text("New")
    expect(page.locator("header .unread-count")).to_have_count(0)


def test_the_browser_finds_the_site_icon(sign_in, developer):
    page = sign_in(developer)
    answer = page.request.get("/favicon.ico")
    assert answer.status == 200 and answer.body()[:4] == b"\x00\x00\x01\x00"


def test_an_empty_request_form_shows_every_problem_at_the_first_submit(sign_in, developer):
    page = sign_in(developer)
    page.goto("/requests/new/")
    page.get_by_role("button", name="File the request").click()
    for field in ("server_name", "version", "source", "use_case", "command"):
        expect(page.locator(f"#id_{field}_error")).to_be_visible()
    assert not Request.objects.exists()


def test_looking_up_an_approved_server_makes_the_request_a_bump(sign_in, developer,
                                                                active_approval):
    page = sign_in(developer)
    page.goto("/requests/new/")
    expect(page.get_by_label("New server")).to_be_checked()
    page.get_by_label("Server name").fill("context7")
    page.get_by_role("button", name="Look up").click()
    expect(page.get_by_label("Version bump")).to_be_checked()
    expect(page.get_by_label("New server")).not_to_be_checked()
