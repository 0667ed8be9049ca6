"""The reviewer's inbox and the requester's clarity (issue 11, points 1, 2, 3 and 5), as
people meet them in headless Chromium."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from approvals import services as workflow
from approvals.models import Request
from tests.approvals.services.helpers import bump
from tests.browser.test_journeys import sign_off

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_approver_is_told_and_signs_from_waiting_for_me(sign_in, developer, tech_lead,
                                                           file, screenshot):
    request = file()
    assert any(m.subject.startswith("Waiting for your sign-off as tech_lead")
               and tech_lead.email in m.to for m in mail.outbox)

    page = sign_in(tech_lead)
    link = page.locator("#waiting-link")
    expect(link).to_contain_text("Waiting for me")
    expect(page.locator("#waiting-count")).to_contain_text("1")
    link.click()
    row = page.locator("#waiting tbody tr", has_text=f"#{request.pk} context7")
    expect(row).to_contain_text("tech_lead")
    screenshot(page, "waiting-for-me")
    row.get_by_role("link", name="Sign off").click()
    sign_off(page, decision="approve", comment="Our teams need the docs lookup.")
    expect(page.locator("#waiting-count")).to_have_count(0)
    expect(page.locator("#signoff-refusal")).to_contain_text(
        "You have signed off this request already.")

    page.goto("/notifications/")
    expect(page.locator("main")).to_contain_text(
        f"Waiting for your sign-off as tech_lead: request #{request.pk}")

    own = sign_in(developer)
    own.goto(request.get_absolute_url())
    expect(own.locator("#signoff-refusal")).to_contain_text(
        "You filed this request, so you cannot sign it off.")


def test_when_a_bump_is_approved_the_other_open_bumps_follow_it(
        sign_in, developer, security, active_approval, file, screenshot):
    patch = bump(file, "1.2.4")
    minor = bump(file, "1.3.0")
    later = bump(file, "1.4.0")

    sec = sign_in(security)
    sec.goto(minor.get_absolute_url())
    sign_off(sec, decision="approve", comment="Reviewed the 1.3.0 changes: no new egress.")
    expect(sec.locator("#request-status")).to_have_text("Approved")

    dev = sign_in(developer)
    dev.goto(later.get_absolute_url())
    expect(dev.locator("main")).to_contain_text("1.3.0 → 1.4.0")
    expect(dev.locator("#timeline")).to_contain_text(
        "system re-classified it — now classified against 1.3.0 (was 1.2.3): still a minor bump")
    screenshot(dev, "request-reclassified")

    dev.goto(patch.get_absolute_url())
    expect(dev.locator("#request-status")).to_have_text("Withdrawn")
    expect(dev.locator("#decision")).to_contain_text(
        "Withdrawn by the system: context7 1.3.0 was approved since this request was filed, "
        "and 1.2.4 is not newer than it, so it is no longer a bump")
    screenshot(dev, "request-withdrawn-by-the-system")
    dev.goto("/notifications/")
    expect(dev.locator("main")).to_contain_text(
        f"Request #{patch.pk} (context7 1.2.4) was withdrawn: the approved version changed")
    assert Request.objects.get(pk=patch.pk).status == "withdrawn"


def test_the_requester_reads_the_question_where_they_answer(sign_in, developer, security,
                                                            file, screenshot):
    request = file()
    workflow.transition(actor=security, request=request, status="needs_info",
                        notes="Which OAuth scopes does it ask for?")
    page = sign_in(developer)
    page.goto(request.get_absolute_url())
    edit = page.locator("#edit")
    expect(edit).to_contain_text("Which OAuth scopes does it ask for?")
    edit.get_by_role("button", name="Save and resubmit").click()
    expect(page.locator("#edit")).to_contain_text("answer the reviewer's question")
    screenshot(page, "request-needs-info-question")
    page.locator("#edit").get_by_label("Your answer to the reviewer").fill("Only read:docs.")
    page.locator("#edit").get_by_role("button", name="Save and resubmit").click()
    expect(page.locator("#request-status")).to_have_text("Under review")
    expect(page.locator("main")).to_contain_text(re.compile("Only read:docs."))


def test_a_sign_off_from_a_page_left_open_says_the_request_was_decided(
        sign_in, security, tech_lead, file, screenshot):
    request = file()
    page = sign_in(security)
    page.goto(request.get_absolute_url())
    form = page.locator("#signoff")
    form.get_by_label("Approve", exact=True).check()
    form.get_by_label("Comment").fill("Reviewed: read-only.")
    # Meanwhile the tech lead denies it.
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="deny",
                      reason="Reads every file.", alternative="")
    form.get_by_role("button", name="Record sign-off").click()
    expect(page.locator("#signoff-refusal")).to_have_text(
        f"Request #{request.pk} is denied: a decided request cannot be signed off. "
        "(denied is final)")
    expect(page.locator("#request-status")).to_have_text("Denied")
    screenshot(page, "request-signoff-refused-decided")
    assert not request.signoffs.filter(user=security).exists()
