"""The lists as a reviewer and a requester use them (issue 11 item 7), in headless Chromium:
sortable headings, search in the queue and the catalog, bulk claim and assignment (with
select-all, and without JavaScript), the countdown beside due dates, and export compare
picked from lists. Each new page state fits a phone (390 px) and passes axe."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from approvals import services as workflow
from approvals.models import Request
from registry import services as exports
from tests.browser.conftest import PASSWORD
from tests.browser.test_phones_and_axe import DESKTOP, PHONE, overflow, serious_violations
from tests.factories import ApprovalFactory, RequestFactory, ServerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_and_passes(page, name, screenshot):
    """Desktop and phone screenshots of the page as it is now; the problems found."""
    problems = [f"{name}: {v}" for v in serious_violations(page)]
    screenshot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_load_state("networkidle")
    screenshot(page, f"{name}-phone")
    if overflow(page) > 0:
        problems.append(f"{name} scrolls sideways by {overflow(page)} px on a phone")
    page.set_viewport_size(DESKTOP)
    return problems


@pytest.fixture
def queue_rows(security):
    now = timezone.now()
    alice = UserFactory(username="alice", first_name="Alice", last_name="Martin")
    return {
        "zeta": RequestFactory(server=ServerFactory(name="zeta-docs"), requester=alice,
                               risk="HIGH", expected_decision=now + dt.timedelta(days=2, hours=3),
                               use_case="Search the payroll wiki."),
        "alpha": RequestFactory(server=ServerFactory(name="alpha-git"), risk="LOW",
                                expected_decision=now + dt.timedelta(days=5)),
        "mid": RequestFactory(server=ServerFactory(name="mid-tickets"), risk="MEDIUM",
                              expected_decision=now - dt.timedelta(days=3, hours=2)),
    }


def row_names(page):
    return page.locator("tbody tr td:nth-child(3) strong").all_inner_texts()


def test_a_reviewer_sorts_the_queue_by_its_headings(sign_in, security, queue_rows, screenshot):
    page = sign_in(security)
    page.goto("/queue/")
    due = page.get_by_role("columnheader", name="Due", exact=True)
    expect(due).to_have_attribute("aria-sort", "ascending")  # soonest due first
    assert [n.split()[1] for n in row_names(page)] == ["mid-tickets", "zeta-docs", "alpha-git"]

    page.get_by_role("link", name="Request", exact=True).click()
    page.wait_for_url("**/queue/?ordering=server")
    expect(page.get_by_role("columnheader", name="Request", exact=True)).to_have_attribute(
        "aria-sort", "ascending")
    expect(due).not_to_have_attribute("aria-sort", "ascending")
    assert [n.split()[1] for n in row_names(page)] == ["alpha-git", "mid-tickets", "zeta-docs"]

    page.get_by_role("link", name="Request", exact=True).click()
    page.wait_for_url("**/queue/?ordering=-server")
    expect(page.get_by_role("columnheader", name="Request", exact=True)).to_have_attribute(
        "aria-sort", "descending")
    assert [n.split()[1] for n in row_names(page)] == ["zeta-docs", "mid-tickets", "alpha-git"]

    page.get_by_role("link", name="Risk / scope", exact=True).click()
    page.wait_for_url("**/queue/?ordering=risk")
    assert [n.split()[1] for n in row_names(page)] == ["alpha-git", "mid-tickets", "zeta-docs"]
    problems = fits_and_passes(page, "queue-sorted", screenshot)

    # A filter keeps the sort; the sort keeps the filter.
    page.get_by_label("Kind").select_option("new_server")
    page.get_by_role("button", name="Filter").click()
    assert "ordering=risk" in page.url and "kind=new_server" in page.url
    page.goto("/queue/?ordering=nonsense")
    expect(page.locator(".form-errors")).to_contain_text("unknown sort key 'nonsense'")
    assert not problems, "\n".join(problems)


def test_sorting_survives_the_pager(sign_in, security):
    for n in range(30):
        RequestFactory(server=ServerFactory(name=f"srv-{n:02d}"))
    page = sign_in(security)
    page.goto("/queue/?ordering=-server")
    page.get_by_role("link", name="Next →").click()
    assert "ordering=-server" in page.url and "page=2" in page.url
    expect(page.get_by_role("columnheader", name="Request", exact=True)).to_have_attribute(
        "aria-sort", "descending")
    assert row_names(page)[0].split()[1] == "srv-04"


def test_a_reviewer_searches_the_queue(sign_in, security, queue_rows, screenshot):
    page = sign_in(security)
    page.goto("/queue/")
    search = page.get_by_role("searchbox", name="Search")
    search.fill("payroll")
    search.press("Enter")
    assert [n.split()[1] for n in row_names(page)] == ["zeta-docs"]
    search = page.get_by_role("searchbox", name="Search")
    expect(search).to_have_value("payroll")
    search.fill("martin")
    search.press("Enter")
    assert [n.split()[1] for n in row_names(page)] == ["zeta-docs"]
    search = page.get_by_role("searchbox", name="Search")
    search.fill(f"#{queue_rows['alpha'].pk}")
    search.press("Enter")
    assert [n.split()[1] for n in row_names(page)] == ["alpha-git"]
    problems = fits_and_passes(page, "queue-searched", screenshot)
    assert not problems, "\n".join(problems)


def test_a_developer_searches_the_catalog_by_purpose_and_owner_and_sorts_it(
        sign_in, developer, screenshot):
    dana = UserFactory(username="dana", first_name="Dana", last_name="Payments-Team")
    ApprovalFactory(server=ServerFactory(name="ledger", package="@fin/ledger-mcp"), risk="HIGH",
                    rationale="Reads the general ledger for month-end close.", owner=dana)
    ApprovalFactory(server=ServerFactory(name="wiki"), risk="LOW",
                    rationale="Company handbook lookups.")
    ApprovalFactory(server=ServerFactory(name="pager"), risk="MEDIUM")
    page = sign_in(developer)
    search = page.get_by_role("searchbox", name="Search")
    search.fill("month-end")
    search.press("Enter")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("ledger")
    search = page.get_by_role("searchbox", name="Search")
    search.fill("payments-team")
    search.press("Enter")
    expect(page.locator("tbody")).to_contain_text("ledger")
    search = page.get_by_role("searchbox", name="Search")
    search.fill("ledger-mcp")
    search.press("Enter")
    expect(page.locator("tbody tr")).to_have_count(1)

    page.goto("/")
    page.get_by_role("link", name="Risk", exact=True).click()
    page.wait_for_url("**/?ordering=risk")
    names = page.locator("tbody tr td:first-child strong").all_inner_texts()
    assert names == ["wiki", "pager", "ledger"]  # LOW, MEDIUM, HIGH
    problems = fits_and_passes(page, "catalog-sorted", screenshot)
    assert not problems, "\n".join(problems)


@pytest.fixture
def open_three(file):
    return [file(server_name=name, source=f"https://github.com/x/{name}", package=f"@x/{name}",
                 config={"command": "npx", "args": ["-y", f"@x/{name}@1.2.3"]})
            for name in ("one-srv", "two-srv", "three-srv")]


def test_security_claims_the_whole_page_at_once_and_sees_what_was_refused(
        sign_in, security, tech_lead, open_three, screenshot):
    page = sign_in(security)
    page.goto("/queue/")
    select_all = page.get_by_label("Select every request on this page")
    expect(select_all).to_be_visible()  # shown by the script; each row's box works without
    select_all.check()
    for request in open_three:
        expect(page.get_by_label(f"Select request #{request.pk} ")).to_be_checked()
    screenshot(page, "queue-bulk-ticked-desktop")

    # Meanwhile one of them is decided elsewhere: it is refused, the others are claimed.
    gone = open_three[1]
    workflow.withdraw(actor=gone.requester, request=gone)
    page.get_by_role("button", name="Claim selected").click()
    messages = page.locator(".messages")
    expect(messages).to_contain_text("Claimed: #")
    expect(messages).to_contain_text(
        f"#{gone.pk}: Request #{gone.pk} is withdrawn: a decided request cannot be assigned.")
    claimed = set(Request.objects.filter(reviewer=security).values_list("pk", flat=True))
    assert claimed == {open_three[0].pk, open_three[2].pk}
    assert Request.objects.get(pk=gone.pk).reviewer is None
    problems = fits_and_passes(page, "queue-bulk-result", screenshot)
    assert not problems, "\n".join(problems)


def test_bulk_assignment_works_without_javascript(browser, live_server, security,
                                                  second_security, open_three):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url,
                                  viewport=DESKTOP)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(security.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/queue/?ordering=-server")
    expect(page.get_by_label("Select every request on this page")).to_be_hidden()
    first, _second, third = open_three
    page.get_by_label(f"Select request #{first.pk} ").check()
    page.get_by_label(f"Select request #{third.pk} ").check()
    page.get_by_label("Assign selected to").select_option("sec2")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Assigned to sec2")
    assert "ordering=-server" in page.url  # back to the queue as it was
    assert set(Request.objects.filter(reviewer=second_security).values_list(
        "pk", flat=True)) == {first.pk, third.pk}
    context.close()


def test_due_dates_count_down_on_the_queue_waiting_list_and_request_page(
        sign_in, security, tech_lead, open_three, screenshot):
    now = timezone.now()
    soon, late, _ = open_three
    Request.objects.filter(pk=soon.pk).update(expected_decision=now + dt.timedelta(days=2,
                                                                                   hours=2))
    Request.objects.filter(pk=late.pk).update(expected_decision=now - dt.timedelta(days=3,
                                                                                   hours=2))
    page = sign_in(security)
    page.goto("/queue/")
    row = page.locator("tr", has_text="one-srv")
    expect(row.locator(".countdown")).to_have_text("due in 2 days")
    expect(row.locator("time")).to_have_attribute(
        "datetime", Request.objects.get(pk=soon.pk).expected_decision.isoformat())
    expect(page.locator("tr", has_text="two-srv").locator(".countdown")).to_have_text(
        "overdue by 3 days")

    page.goto(f"/requests/{late.pk}/")
    expect(page.locator(".countdown").first).to_have_text("overdue by 3 days")
    screenshot(page, "request-page-countdown")

    lead = sign_in(tech_lead)
    lead.goto("/requests/waiting/")
    expect(lead.locator("#waiting tr", has_text="one-srv").locator(".countdown")).to_have_text(
        "due in 2 days")
    problems = fits_and_passes(lead, "waiting-countdown", screenshot)
    assert not problems, "\n".join(problems)


def test_exports_are_compared_by_picking_from_lists(sign_in, security, screenshot):
    ApprovalFactory(server=ServerFactory(name="alpha"))
    first = exports.build_export(cause="alpha approved")
    ApprovalFactory(server=ServerFactory(name="beta"))
    second = exports.build_export(cause="beta approved")
    ApprovalFactory(server=ServerFactory(name="gamma"))
    third = exports.build_export(cause="gamma approved")
    page = sign_in(security)
    page.goto("/exports/")
    older = page.get_by_label("From snapshot (older)")
    newer = page.get_by_label("To snapshot (newer)")
    expect(older).to_have_value(str(second.pk))  # the latest and the one before it
    expect(newer).to_have_value(str(third.pk))
    older.select_option(str(first.pk))
    page.get_by_role("button", name="Compare").click()
    expect(page.locator(".diff")).to_contain_text("beta")
    expect(page.locator(".diff")).to_contain_text("gamma")
    screenshot(page, "export-compare-picked")

    page.get_by_label("From snapshot (older)").select_option(str(third.pk))
    page.get_by_role("button", name="Compare").click()
    errors = page.locator(".form-errors")
    expect(errors).to_contain_text("pick two different snapshots")
    expect(page.locator(".diff")).to_have_count(0)
    problems = fits_and_passes(page, "export-compare-refused", screenshot)

    page.goto("/exports/")
    page.get_by_role("link", name=f"compare with previous (#{second.pk})").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Compare snapshots #{second.pk} → #{third.pk}")
    assert not problems, "\n".join(problems)


def test_the_audit_page_sorts_by_actor(sign_in, security, second_security, file, screenshot):
    request = file()
    workflow.add_comment(actor=second_security, request=request, body="A question.")
    page = sign_in(security)
    page.goto("/audit/")
    expect(page.get_by_role("columnheader", name="When", exact=True)).to_have_attribute(
        "aria-sort", "descending")  # newest first
    page.get_by_role("link", name="Actor", exact=True).click()
    page.wait_for_url("**/audit/?ordering=actor")
    expect(page.get_by_role("columnheader", name="Actor", exact=True)).to_have_attribute(
        "aria-sort", "ascending")
    problems = fits_and_passes(page, "audit-sorted", screenshot)
    assert not problems, "\n".join(problems)
