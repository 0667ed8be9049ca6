"""Signing in through the company's identity provider in Chromium (SPEC §10): the portal's
sign-in page sends the person to the provider's own login page (oidc-provider on Node,
tests/servers/oidc_provider.py), they land with the roles their groups give, and signing
out ends both sessions. A group the provider drops is a role gone at the next sign-in."""

import pytest
from playwright.sync_api import expect

from tests.servers.oidc_provider import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def visit(browser, live_server):
    contexts = []

    def _visit():
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield _visit
    for context in contexts:
        context.close()


def sign_in_at_provider(page, live_server, username):
    page.goto("/accounts/login/")
    expect(page.get_by_label("Password")).to_have_count(0)  # no local passwords
    page.get_by_role("link", name="Sign in with your identity provider").click()
    expect(page.locator("h1")).to_have_text("Test identity provider")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def sign_out(page, live_server):
    page.locator("summary.usermenu, details.usermenu > summary").click()
    page.get_by_role("button", name="Sign out").click()
    # the provider's end-session page asks, then sends the browser back to the portal
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")


def test_a_security_engineer_signs_in_with_the_provider_and_out_again(
        oidc_portal, visit, live_server, screenshot):
    page = visit()
    sign_in_at_provider(page, live_server, "alice")
    menu = page.locator("details.usermenu > summary")
    expect(menu).to_contain_text("alice")
    expect(menu).to_contain_text("security_team")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Review queue")).to_be_visible()
    expect(nav.get_by_role("link", name="Audit")).to_be_visible()
    screenshot(page, "signed-in-through-provider")
    sign_out(page, live_server)
    page.goto("/queue/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/queue/")
    # and the provider's session is over too: its login page asks again
    page.get_by_role("link", name="Sign in with your identity provider").click()
    expect(page.get_by_label("Username")).to_be_visible()


def test_a_group_the_provider_drops_is_a_role_gone_at_the_next_sign_in(
        oidc_portal, visit, live_server):
    page = visit()
    sign_in_at_provider(page, live_server, "bob")
    nav = page.get_by_role("navigation", name="Main")
    expect(page.locator("details.usermenu > summary")).to_contain_text("tech_lead")
    expect(nav.get_by_role("link", name="Review queue")).to_be_visible()
    sign_out(page, live_server)

    oidc_portal.set_groups("bob", ["Engineering"])
    sign_in_at_provider(page, live_server, "bob")
    expect(page.locator("details.usermenu > summary")).not_to_contain_text("tech_lead")
    expect(nav.get_by_role("link", name="Review queue")).to_have_count(0)
    page.goto("/queue/")
    expect(page.locator("body")).to_contain_text("The review queue is for the security team")


def test_a_person_in_no_mapped_group_is_told_why(oidc_portal, visit, live_server):
    page = visit()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with your identity provider").click()
    page.get_by_label("Username").fill("sales")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("You could not be signed in")
    expect(page.locator("#refusal-reason")).to_contain_text(
        "None of your groups at the identity provider gives access to the portal")
