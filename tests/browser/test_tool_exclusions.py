"""Tool-level approval (issue 14, section 3) in headless Chromium: the security team
approves a GitHub server without delete_repository, and everyone sees it in the catalog,
on the server's page and in the managed settings the platform team deploys."""

import json

import pytest
from playwright.sync_api import expect

from approvals import services as workflow
from registry.models import Approval
from tests.factories import stdio_config

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_security_team_approves_github_without_delete_repository(
        sign_in, developer, tech_lead, security, platform, file, screenshot):
    request = file(server_name="github", version="2025.4.8",
                   package="@modelcontextprotocol/server-github",
                   source="https://github.com/modelcontextprotocol/servers",
                   config=stdio_config("@modelcontextprotocol/server-github", "2025.4.8"))
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve",
                      comment="The team needs issues and pull requests.")

    page = sign_in(security)
    page.goto(request.get_absolute_url())
    assessment = page.locator("#review")
    assessment.get_by_label("Risk").select_option("LOW")
    assessment.get_by_role("button", name="Save assessment").click()
    expect(page.locator(".messages")).to_contain_text("The assessment was saved.")

    form = page.locator("#signoff")
    form.get_by_label("Approve", exact=True).check()
    form.get_by_label("Comment").fill("Reviewed: fine without repository deletion.")
    form.get_by_label("Approve with these tools excluded (optional)").fill(
        "delete repository")
    form.get_by_role("button", name="Record sign-off").click()
    expect(page.locator("#signoff")).to_contain_text("'delete repository' is not a tool name")
    assert not Approval.objects.filter(server__name="github").exists()

    form = page.locator("#signoff")
    form.get_by_label("Approve", exact=True).check()
    form.get_by_label("Comment").fill("Reviewed: fine without repository deletion.")
    form.get_by_label("Approve with these tools excluded (optional)").fill(
        "delete_repository")
    form.get_by_role("button", name="Record sign-off").click()
    expect(page.locator("#request-status")).to_have_text("Approved")
    expect(page.locator("#excluded-tools")).to_contain_text("delete_repository")
    expect(page.locator("#timeline")).to_contain_text("excluded: delete_repository")
    screenshot(page, "request-approved-without-a-tool")

    dev = sign_in(developer)
    dev.goto("/")
    row = dev.locator("tbody tr", has_text="github")
    expect(row).to_contain_text("without delete_repository")
    row.get_by_role("link", name="github").click()
    expect(dev.locator("#excluded-tools")).to_contain_text("delete_repository")
    screenshot(dev, "server-without-a-tool")

    ops = sign_in(platform)
    response = ops.request.get("/exports/latest/managed-settings.json")
    assert response.ok
    assert json.loads(response.text())["permissions"] == {
        "deny": ["mcp__github__delete_repository"]}
