"""Dated delegation (issue 15 §2) in headless Chromium: a tech lead going on holiday hands
their sign-offs to a colleague, who finds the request waiting, signs it on the tech lead's
behalf, and cannot sign the tech lead's own request; the tech lead ends it early."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Delegation
from approvals.models import SignOff
from tests.browser.test_journeys import sign_off
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_holiday_delegation_from_making_to_signing_on_behalf_to_ending_early(
        sign_in, tech_lead, file, new_server_kwargs, screenshot):
    deputy = UserFactory(username="deputy")
    waiting = file()
    own = file(actor=tech_lead, server_name="fetch", config={**new_server_kwargs["config"]})
    today = timezone.localdate()

    lead = sign_in(tech_lead)
    lead.locator("summary", has_text=tech_lead.username).click()
    lead.locator("#delegations-link").click()
    form = lead.locator("#delegate")
    form.get_by_label("Delegate (username)").fill("lead")  # to oneself: refused, by field
    form.get_by_label("First day").fill(today.isoformat())
    form.get_by_label("Last day").fill((today + dt.timedelta(days=6)).isoformat())
    form.get_by_label("Reason").fill("Summer holiday")
    form.get_by_role("button", name="Delegate").click()
    expect(lead.locator("#field-delegate")).to_contain_text(
        "you cannot delegate to yourself: name a colleague")
    assert not Delegation.objects.exists()
    lead.locator("#delegate").get_by_label("Delegate (username)").fill("deputy")
    lead.locator("#delegate").get_by_role("button", name="Delegate").click()
    expect(lead.locator(".messages")).to_contain_text("The delegation was made")
    expect(lead.locator("#given")).to_contain_text("in force")
    screenshot(lead, "delegations")

    page = sign_in(deputy)
    expect(page.locator("#waiting-count")).to_contain_text("1")
    page.locator("#waiting-link").click()
    row = page.locator("#waiting tbody tr", has_text=f"#{waiting.pk} context7")
    expect(row).to_contain_text("tech_lead for lead")
    expect(page.locator("#waiting")).not_to_contain_text(f"#{own.pk} fetch")
    row.get_by_role("link", name="Sign off").click()
    expect(page.locator(".on-behalf-note")).to_contain_text(
        "As tech_lead you are signing on behalf of lead")
    sign_off(page, decision="approve", comment="Covering for lead: fine for docs lookups.")
    expect(page.locator("#required-signoffs")).to_contain_text("✓ deputy for lead")
    signoff = SignOff.objects.get(request=waiting)
    assert (signoff.user_id, signoff.on_behalf_of_id) == (deputy.pk, tech_lead.pk)

    page.goto(own.get_absolute_url())  # the delegator's own request: never by proxy
    expect(page.locator("#signoff-refusal")).to_contain_text("self-approval by proxy")

    lead.goto("/delegations/")
    lead.get_by_role("button", name="End the delegation of tech_lead to deputy now").click()
    expect(lead.locator(".messages")).to_contain_text("The delegation was ended")
    expect(lead.locator("#given")).to_contain_text("ended early")
    page.goto("/")
    expect(page.locator("#waiting-link")).to_have_count(0)
