"""What a reviewer reads: a bump's config beside the approved one, and a request's whole
audit trail with people by name (issue 11, items 4 and 8), in headless Chromium."""

import pytest
from playwright.sync_api import expect

from approvals import services as workflow
from tests.factories import stdio_config

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_sees_what_a_bump_adds_and_removes(sign_in, security, developer, file,
                                                      approve, screenshot):
    approve(file())
    config = stdio_config("@context7/mcp-server", "1.3.0")
    config["args"].append("--read-only")
    config["env"] = {"CONTEXT7_TOKEN": "${CONTEXT7_TOKEN}"}
    bump = file(kind="version_bump", version="1.3.0", config=config)
    page = sign_in(security)
    page.goto(f"/requests/{bump.pk}/")
    diff = page.get_by_role("region", name="Against the approved 1.2.3")
    expect(diff.get_by_role("columnheader", name="Approved 1.2.3")).to_be_visible()
    expect(diff.get_by_role("columnheader", name="This request (1.3.0)")).to_be_visible()
    expect(diff.locator("ins")).to_have_text([
        "added: @context7/mcp-server@1.3.0", "added: --read-only",
        "added: CONTEXT7_TOKEN=${CONTEXT7_TOKEN}"])
    expect(diff.locator("del")).to_have_text(["removed: @context7/mcp-server@1.2.3"])
    diff.scroll_into_view_if_needed()
    screenshot(page, "request-config-diff")


def test_a_request_trail_reads_as_one_timeline_with_names(sign_in, security, tech_lead,
                                                          developer, file, screenshot):
    developer.first_name, developer.last_name = "Dana", "Developer"
    developer.save()
    security.first_name, security.last_name = "Sam", "Secure"
    security.save()
    request = file()
    workflow.assign(actor=security, request=request)
    workflow.add_comment(actor=security, request=request, body="Which scopes does it need?")
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve",
                      comment="Fine for docs.")
    page = sign_in(security)
    page.goto(f"/requests/{request.pk}/")
    page.get_by_role("link", name="audit trail").click()
    expect(page.locator("h1")).to_have_text(f"Audit trail of request #{request.pk}")
    table = page.locator("table")
    expect(table).to_contain_text("Which scopes does it need?")  # the comment
    expect(table).to_contain_text("Fine for docs.")  # the sign-off
    expect(table).to_contain_text("reviewer: — → Sam Secure (sec)")
    expect(table).to_contain_text("Dana Developer (dev)")
    expect(table).not_to_contain_text("fields set")
    screenshot(page, "audit-request-trail")

    page.get_by_label("Actor").select_option(label="Sam Secure (sec)")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("h1")).to_have_text(f"Audit trail of request #{request.pk}")
    expect(table).to_contain_text("Which scopes does it need?")
    expect(table).not_to_contain_text("Fine for docs.")  # the tech lead's, filtered out
