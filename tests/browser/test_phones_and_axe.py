"""Every main page on a phone (390 px: nothing scrolls sideways, the header folds into a
menu) and under axe-core (no serious or critical violation), in headless Chromium.

axe-core comes from npm, pinned in tests/browser/axe/package-lock.json and installed by
`make test-browser` (node_modules is never committed)."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from approvals import services as workflow
from campaigns import services as campaigns
from registry import services as exports
from tests.factories import stdio_config

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def portal(developer, security, tech_lead, file, approve):
    """A portal with something on each page: an approved server, an open bump of it that
    changes its config, two exports and their diff, audit entries, a notice."""
    first = exports.build_export(cause="empty")
    approve(file())
    config = stdio_config("@context7/mcp-server", "1.3.0")
    config["args"].append("--read-only")
    config["env"] = {"CONTEXT7_TOKEN": "${CONTEXT7_TOKEN}"}
    bump = file(kind="version_bump", version="1.3.0", config=config,
                what_changed="A read-only flag and a token from the environment.")
    workflow.add_comment(actor=security, request=bump, body="Why does it need a token now?")
    last = exports.build_export(cause="context7 approved") or exports.fresh_snapshot()
    campaign = campaigns.start_campaign(
        actor=security, name="Q3 recertification", on_no_answer="flag",
        due=timezone.localdate() + dt.timedelta(days=10))
    # A request sent back with a question (the requester's answer form) and a decided one.
    asked = file(server_name="docs-search", source="https://github.com/x/docs-search",
                 package="@x/docs-search", config=stdio_config("@x/docs-search", "1.2.3"))
    workflow.transition(actor=security, request=asked, status="needs_info",
                        notes="Which OAuth scopes does it ask for?")
    denied = file(server_name="browser-automation", source="https://github.com/x/b",
                  package="@x/b", config=stdio_config("@x/b", "1.2.3"))
    workflow.sign_off(actor=tech_lead, request=denied, role="tech_lead", decision="deny",
                      reason="Can browse arbitrary internal sites.",
                      alternative="Use playwright-mcp with an URL allowlist.")
    return {"bump": bump, "first": first, "last": last, "asked": asked, "denied": denied,
            "campaign": campaign}


def pages(portal):
    """(name, path, who) of each main page; who: the fixture name of the user who sees it."""
    bump, first, last = portal["bump"], portal["first"], portal["last"]
    asked, denied = portal["asked"], portal["denied"]
    return [
        ("catalog", "/", "developer"),
        ("server", "/servers/context7/", "developer"),
        ("request-form", "/requests/new/", "developer"),
        ("request-form-lookup", "/requests/new/?server=context7&kind=version_bump", "developer"),
        ("my-requests", "/requests/mine/", "developer"),
        ("request-page-requester", f"/requests/{bump.pk}/", "developer"),
        ("request-page-reviewer", f"/requests/{bump.pk}/", "security"),
        ("request-page-needs-info", f"/requests/{asked.pk}/", "developer"),
        ("request-page-decided", f"/requests/{denied.pk}/", "security"),
        ("refused-403", "/queue/", "developer"),
        ("not-found-404", "/servers/no-such-server/", "developer"),
        ("queue", "/queue/", "security"),
        ("exports", "/exports/", "security"),
        ("export-detail", f"/exports/{last.pk}/", "security"),
        ("export-diff", f"/exports/diff/?a={first.pk}&b={last.pk}", "security"),
        ("dashboard", "/dashboard/", "security"),
        ("audit", "/audit/", "security"),
        ("audit-request", f"/audit/?type=approvals.request&id={bump.pk}", "security"),
        ("tokens", "/accounts/tokens/", "developer"),
        ("notifications", "/notifications/", "developer"),
        ("notification-preferences", "/notifications/preferences/", "developer"),
        ("waiting-for-me", "/requests/waiting/", "security"),
        # The lists sorted by a heading and searched (issue 11, item 7).
        ("catalog-searched-sorted", "/?search=context7&ordering=-risk", "developer"),
        ("queue-searched-sorted", "/queue/?search=context7&ordering=-server", "security"),
        ("my-requests-sorted", "/requests/mine/?ordering=-expected_decision", "developer"),
        ("audit-sorted", "/audit/?ordering=actor", "security"),
        ("delegations", "/delegations/", "security"),
        ("campaigns", "/campaigns/", "security"),
        ("campaign", f"/campaigns/{portal['campaign'].pk}/", "security"),
        ("campaign-report", f"/campaigns/{portal['campaign'].pk}/report.html", "security"),
        ("campaign-items-mine", "/campaigns/mine/", "developer"),
        ("api-docs", "/api/docs/", "developer"),
    ]


def serious_violations(page):
    """axe-core's serious and critical findings on the page, as readable lines."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(n["target"]) for n in v["nodes"][:5])
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


def overflow(page):
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_every_main_page_fits_a_phone_and_passes_axe(sign_in, request, portal, screenshot):
    assert AXE.exists(), "axe-core is missing: `make test-browser` installs it"
    problems = []
    signed_in = {}
    for name, path, who in pages(portal):
        if who not in signed_in:
            signed_in[who] = sign_in(request.getfixturevalue(who))
        page = signed_in[who]
        for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            page.goto(path)
            page.wait_for_load_state("networkidle")
            screenshot(page, f"{name}-{size}")
            if size == "phone" and overflow(page) > 0:
                problems.append(f"{name} ({path}) scrolls sideways by {overflow(page)} px")
            if size == "desktop":
                problems += [f"{name} ({path}): {v}" for v in serious_violations(page)]
    assert not problems, "\n".join(problems)


def test_the_sign_in_page_fits_a_phone_and_passes_axe(browser, live_server, screenshot):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url)
    page = context.new_page()
    page.goto("/accounts/login/")
    screenshot(page, "sign-in-phone")
    assert overflow(page) == 0
    assert serious_violations(page) == []
    context.close()


def test_on_a_phone_the_header_folds_into_a_menu(sign_in, security, screenshot):
    page = sign_in(security)
    page.set_viewport_size(PHONE)
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    queue_link = nav.get_by_role("link", name="Review queue")
    expect(queue_link).to_be_hidden()
    header = page.locator("header.topbar").bounding_box()
    assert header["height"] <= 64, f"the header takes {header['height']} px of a phone"

    page.get_by_text("Menu", exact=True).click()
    expect(queue_link).to_be_visible()
    screenshot(page, "header-menu-phone")
    queue_link.click()
    expect(page.locator("h1")).to_contain_text("queue")

    page.set_viewport_size(DESKTOP)  # on a desk the links show without a menu
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    expect(nav.get_by_role("link", name="Catalog")).to_be_visible()


def test_look_up_and_download_stay_whole_on_a_phone(sign_in, security, portal):
    page = sign_in(security)
    page.set_viewport_size(PHONE)
    for path, button in (("/requests/new/", "Look up"), ("/exports/", "Download")):
        page.goto(path)
        target = page.get_by_role("button", name=button).or_(
            page.get_by_role("link", name=button)).first
        box = target.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (path, box)


def test_a_request_can_be_commented_with_the_keyboard_alone(sign_in, developer, portal):
    page = sign_in(developer)
    page.goto(f"/requests/{portal['bump'].pk}/")
    comment = page.get_by_label("Comment", exact=True)
    for _ in range(80):  # Tab through the page until the comment box has the focus
        page.keyboard.press("Tab")
        if comment.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the comment box")
    ring = comment.evaluate(
        "el => getComputedStyle(el).outlineStyle + getComputedStyle(el).boxShadow")
    assert ring not in ("nonenone", "none"), "the focused box shows no focus ring"
    page.keyboard.type("Answered in the notes.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Your comment was added.")


def test_a_form_with_errors_passes_axe_on_a_phone(sign_in, developer, screenshot):
    page = sign_in(developer)
    page.set_viewport_size(PHONE)
    page.goto("/requests/new/")
    page.get_by_role("button", name="File the request").click()
    expect(page.locator(".form-errors")).to_be_visible()
    screenshot(page, "request-form-errors-phone")
    assert overflow(page) == 0
    assert serious_violations(page) == []


def test_on_a_phone_the_menu_opens_with_the_keyboard(sign_in, security):
    page = sign_in(security)
    page.set_viewport_size(PHONE)
    page.goto("/")
    menu = page.locator(".navmenu > summary")
    for _ in range(5):  # skip link, brand, then the menu
        page.keyboard.press("Tab")
        if menu.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the Menu button")
    assert menu.evaluate("el => getComputedStyle(el).outlineStyle") != "none"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # Catalog, then File a request
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("File a request")


UNRINGED = """() => {
  const found = [];
  const all = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex="0"]');
  for (const el of all) {
    if (!el.checkVisibility({contentVisibilityAuto: true}) || el.tabIndex < 0) continue;
    el.focus();
    const style = getComputedStyle(el);
    const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    if (!ring && style.boxShadow === 'none') found.push(el.outerHTML.slice(0, 90));
  }
  return found;
}"""


def test_every_control_shows_a_focus_ring_when_reached_by_keyboard(sign_in, security, portal):
    page = sign_in(security)
    for path in (f"/requests/{portal['bump'].pk}/", "/requests/new/", "/audit/", "/queue/"):
        page.goto(path)
        page.keyboard.press("Tab")  # from here on the page is used with the keyboard
        assert page.evaluate(UNRINGED) == [], path
