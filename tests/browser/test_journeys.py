"""The portal's journeys end to end in headless Chromium against a live server."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from approvals import services as workflow
from approvals.models import Request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_request(page, request):
    page.goto(f"/requests/{request.pk}/")
    expect(page.locator("h1")).to_contain_text(f"#{request.pk}")


def sign_off(page, *, decision, comment="", reason="", alternative=""):
    form = page.locator("#signoff")
    form.get_by_label("Approve" if decision == "approve" else "Deny", exact=True).check()
    if comment:
        form.get_by_label("Comment").fill(comment)
    if reason:
        form.get_by_label("Reason (for a deny)").fill(reason)
    if alternative:
        form.get_by_label("Alternative (for a deny)").fill(alternative)
    form.get_by_role("button", name="Record sign-off").click()
    expect(page.locator(".messages")).to_contain_text("Your sign-off was recorded.")


def test_a_developer_fixes_a_bad_version_and_files_a_new_server(sign_in, developer, screenshot):
    page = sign_in(developer)
    screenshot(page, "catalog")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="File a request").click()
    page.get_by_label("New server").check()
    page.get_by_label("Server name").fill("context7")
    page.get_by_label("Version", exact=True).fill("latest")
    page.get_by_label("Source").fill("https://github.com/context7/mcp-server")
    page.get_by_label("Package", exact=True).fill("@context7/mcp-server")
    page.get_by_label("Package registry").select_option("npm")
    page.get_by_label("Data it will reach").select_option("PUBLIC")
    page.get_by_label("Use case").fill("Read-only documentation lookup.")
    page.get_by_label("Command").fill("npx")
    page.get_by_label("Arguments").fill("-y\n@context7/mcp-server@1.2.3")
    page.get_by_role("button", name="File the request").click()

    error = page.locator("#id_version_error")
    expect(error).to_contain_text("moving tag")
    expect(page.get_by_label("Use case")).to_have_value("Read-only documentation lookup.")
    expect(page.get_by_label("Arguments")).to_have_value("-y\n@context7/mcp-server@1.2.3")
    screenshot(page, "request-form-with-errors")

    page.get_by_label("Version", exact=True).fill("1.2.3")
    page.get_by_role("button", name="File the request").click()
    expect(page.locator(".messages")).to_contain_text("was filed")
    expect(page.locator("#request-status")).to_have_text("Under review")
    screenshot(page, "request-page-requester")
    assert Request.objects.get(server__name="context7").version == "1.2.3"


def test_two_reviewers_approve_and_the_catalog_and_export_show_it(
        sign_in, developer, tech_lead, security, platform, file, screenshot):
    request = file()

    lead = sign_in(tech_lead)
    open_request(lead, request)
    sign_off(lead, decision="approve", comment="Our teams need the docs lookup.")

    sec = sign_in(security)
    sec.get_by_role("link", name="Review queue").click()
    expect(sec.locator("tbody")).to_contain_text("context7")
    screenshot(sec, "review-queue")
    sec.get_by_role("link", name=re.compile(rf"#{request.pk} context7")).click()
    sec.locator("#review").get_by_role("button", name="Claim").click()
    expect(sec.locator(".messages")).to_contain_text("The reviewer is set.")
    sec.locator("#review").get_by_label("Risk").select_option("LOW")
    sec.locator("#review").get_by_role("button", name="Save assessment").click()
    expect(sec.locator(".messages")).to_contain_text("The assessment was saved.")
    screenshot(sec, "request-page-reviewer")
    sign_off(sec, decision="approve", comment="Code reviewed; no egress beyond the docs API.")
    expect(sec.locator("#request-status")).to_have_text("Approved")

    sec.goto("/?status=active")
    row = sec.locator("tbody tr", has_text="context7")
    expect(row).to_contain_text("active")
    expect(row).to_contain_text("1.2.3")
    sec.get_by_role("link", name="context7").click()
    expect(sec.locator("#active-h")).to_be_visible()
    screenshot(sec, "server-page")

    pat = sign_in(platform)
    pat.get_by_role("link", name="Exports").click()
    with pat.expect_download() as download:
        pat.get_by_role("link", name="Download managed-mcp.json").click()
    servers = json.loads(Path(download.value.path()).read_text())["mcpServers"]
    assert servers["context7"]["args"] == ["-y", "@context7/mcp-server@1.2.3"]


def test_a_major_bump_goes_through_sandbox_and_the_director_denies_it(
        sign_in, developer, security, director, active_approval, screenshot):
    dev = sign_in(developer)
    dev.goto("/servers/context7/")
    dev.get_by_role("link", name="Request a version bump").click()
    expect(dev.get_by_label("Version bump")).to_be_checked()
    expect(dev.get_by_label("Command")).to_have_value("npx")
    dev.get_by_label("Version", exact=True).fill("2.0.0")
    dev.get_by_label("Arguments").fill("-y\n@context7/mcp-server@2.0.0")
    dev.get_by_role("button", name="File the request").click()
    expect(dev.locator(".messages")).to_contain_text("was filed")
    request = Request.objects.get(server__name="context7", version="2.0.0")
    assert request.bump_level == "major"

    sec = sign_in(security)
    open_request(sec, request)
    expect(sec.locator("#route-h")).to_contain_text("major version bump")
    review = sec.locator("#review")
    review.get_by_role("button", name="Claim").click()
    review.get_by_label("Risk").select_option("MEDIUM")
    review.get_by_role("button", name="Save assessment").click()
    review.get_by_label("Move to").select_option("sandbox_trial")
    review.get_by_role("button", name="Change status").click()
    expect(sec.locator("#request-status")).to_have_text("Sandbox trial")
    review.get_by_label("Move to").select_option("awaiting_security")
    review.get_by_role("button", name="Change status").click()
    expect(review.locator(".errorlist")).to_contain_text("trial notes are required")
    review.get_by_label("Notes").fill("Ran a week in the sandbox; no unexpected egress.")
    review.get_by_role("button", name="Change status").click()
    expect(sec.locator("#request-status")).to_have_text("Awaiting security")
    sign_off(sec, decision="approve", comment="2.0 drops the telemetry; reviewed the diff.")

    boss = sign_in(director)
    open_request(boss, request)
    sign_off(boss, decision="deny", reason="2.0 sends queries to a new hosted backend.",
             alternative="Stay on 1.2.x until the self-hosted mode ships.")
    expect(boss.locator("#request-status")).to_have_text("Denied")

    dev.goto("/requests/mine/")
    expect(dev.locator("tbody")).to_contain_text("Denied")
    screenshot(dev, "my-requests")
    dev.get_by_role("link", name=re.compile(rf"#{request.pk} context7")).first.click()
    expect(dev.locator("#denial-reason")).to_have_text(
        "2.0 sends queries to a new hosted backend.")
    expect(dev.locator("#denial-alternative")).to_have_text(
        "Stay on 1.2.x until the self-hosted mode ships.")
    screenshot(dev, "request-page-denied")


def test_a_developer_cannot_reach_the_queue_exports_or_audit(sign_in, developer, screenshot):
    page = sign_in(developer)
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Review queue", "Exports", "Audit", "Dashboard"):
        expect(nav.get_by_role("link", name=name)).to_have_count(0)
    for path in ("/queue/", "/exports/", "/audit/", "/exports/latest/managed-mcp.json"):
        response = page.goto(path)
        assert response.status == 403
        expect(page.locator("h1")).to_have_text("This page is not for your role")
    screenshot(page, "forbidden")


def test_the_platform_team_downloads_managed_mcp_json(sign_in, platform, active_approval,
                                                      screenshot):
    page = sign_in(platform)
    page.get_by_role("link", name="Exports").click()
    expect(page.locator("h1")).to_have_text("Exports")
    screenshot(page, "exports")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download managed-mcp.json").click()
    assert download.value.suggested_filename == "managed-mcp.json"
    document = json.loads(Path(download.value.path()).read_text())
    assert list(document["mcpServers"]) == ["context7"]


def test_security_reads_dashboard_audit_and_an_export_diff(sign_in, security, file, tech_lead,
                                                          active_approval, screenshot):
    from registry import services

    first = services.build_export(cause="before the new server")
    request = file(server_name="docs-search", source="https://github.com/x/docs",
                   package="@x/docs", config={"command": "npx", "args": ["-y", "@x/docs@1.2.3"]})
    workflow.assign(actor=security, request=request)
    workflow.set_assessment(actor=security, request=request, risk="LOW")
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve")
    workflow.sign_off(actor=security, request=request, role="security_team",
                      decision="approve", comment="Reviewed.")
    last = services.build_export(cause="docs-search approved") or services.fresh_snapshot()

    page = sign_in(security)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("svg.chart").first).to_be_visible()
    screenshot(page, "dashboard")

    page.goto(f"/exports/diff/?a={first.pk}&b={last.pk}")
    expect(page.locator(".diff .add").first).to_be_visible()
    expect(page.locator(".diff")).to_contain_text("docs-search")
    screenshot(page, "export-diff")
    page.goto(f"/exports/{last.pk}/")
    screenshot(page, "export-detail")

    page.get_by_role("link", name="Audit").click()
    page.get_by_label("Object type").select_option("approvals.request")
    page.get_by_label("Object id").fill(str(request.pk))
    page.get_by_label("Actor").select_option("sec")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("sec")
    screenshot(page, "audit")


def test_sign_in_explains_a_wrong_password_then_shows_who_you_are(browser, live_server,
                                                                 security, screenshot):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/queue/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/queue/"))
    page.get_by_label("Username").fill("sec")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".form-errors")).to_contain_text("correct username and password")
    screenshot(page, "sign-in")
    page.get_by_label("Password").fill("pw-for-tests-1")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/queue/$"))
    expect(page.locator(".usermenu summary")).to_contain_text("sec")
    expect(page.locator(".usermenu summary")).to_contain_text("security_team")
    context.close()


def test_a_request_sent_back_is_edited_and_resubmitted(sign_in, developer, security, file,
                                                       screenshot):
    request = file()
    workflow.add_comment(actor=security, request=request,
                         body="Which data does it send to the docs API?")
    workflow.transition(actor=security, request=request, status="needs_info")

    page = sign_in(developer)
    page.goto("/requests/mine/")
    expect(page.locator("tbody")).to_contain_text("your answer is needed")
    page.get_by_role("link", name=re.compile(rf"#{request.pk} context7")).first.click()
    edit = page.locator("#edit")
    edit.get_by_label("Environment").fill("DOCS_TOKEN=ghp_" + "a1B2c3D4" * 5)
    edit.get_by_role("button", name="Save and resubmit").click()
    expect(page.locator("#id_edit-env_error")).to_contain_text("placeholder")
    screenshot(page, "request-edit-with-errors")
    edit.get_by_label("Environment").fill("DOCS_TOKEN=${DOCS_TOKEN}")
    edit.get_by_label("Use case").fill("Docs lookup; only the query text leaves the laptop.")
    edit.get_by_role("button", name="Save and resubmit").click()
    expect(page.locator("#request-status")).to_have_text("Under review")
    expect(page.locator("#timeline")).to_contain_text("resubmitted")
    request.refresh_from_db()
    assert request.config["env"] == {"DOCS_TOKEN": "${DOCS_TOKEN}"}


def test_look_up_shows_a_denied_servers_history_before_filing(sign_in, developer, file,
                                                              tech_lead, screenshot):
    denied = file(server_name="browser-automation", source="https://github.com/x/b",
                  package="@x/b", config={"command": "npx", "args": ["-y", "@x/b@1.2.3"]})
    workflow.sign_off(actor=tech_lead, request=denied, role="tech_lead", decision="deny",
                      reason="Can browse arbitrary internal sites.",
                      alternative="Use playwright-mcp with an URL allowlist.")
    page = sign_in(developer)
    page.goto("/requests/new/")
    page.get_by_label("Server name").fill("browser-automation")
    page.get_by_label("Use case").fill("Check our staging pages.")
    page.get_by_role("button", name="Look up").click()
    expect(page.locator("#denials-h")).to_contain_text("was denied before")
    expect(page.locator("aside")).to_contain_text("Use playwright-mcp with an URL allowlist.")
    expect(page.get_by_label("Use case")).to_have_value("Check our staging pages.")
    screenshot(page, "request-form-denial-history")
    page.get_by_label("Version", exact=True).fill("1.2.4")
    page.get_by_label("Version", exact=True).press("Enter")
    expect(page.locator("#id_what_changed_error")).to_contain_text("Say what has changed")
