"""A recertification campaign end to end in headless Chromium (issue 15): the security team
starts it, an owner answers on their page, the security team reads the progress and
downloads the report."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.models import Campaign
from registry.models import Approval
from tests.factories import ApprovalFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_answers_a_campaign_and_the_security_team_reads_the_report(
        sign_in, security, screenshot):
    owner = UserFactory(username="owner", email="owner@company.com")
    ApprovalFactory(server__name="context7", server__package="@c7/mcp", risk="LOW",
                    owner=owner)
    ApprovalFactory(server__name="postgres", server__package="@pg/mcp", risk="LOW",
                    owner=owner)
    ApprovalFactory(server__name="jira", server__package="@jira/mcp", risk="HIGH",
                    owner=owner)

    sec = sign_in(security)
    sec.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    start = sec.locator("#start-campaign")
    start.get_by_label("Name").fill("Low risk recertification")
    start.get_by_label("Due date").fill(
        (timezone.localdate() + dt.timedelta(days=14)).isoformat())
    start.get_by_label("Risk").select_option("LOW")
    start.get_by_label("Revoke the approval").check()
    start.get_by_role("button", name="Start the campaign").click()
    expect(sec.locator(".messages")).to_contain_text("2 approvals put to their owners")
    expect(sec.locator("#count-open")).to_have_text("2")

    page = sign_in(owner)
    expect(page.locator("#campaign-items-count")).to_contain_text("2")
    page.get_by_role("link", name="Campaign items").click()
    campaign = Campaign.objects.get()
    retire = page.locator(f"#item-{campaign.items.get(approval__server__name='postgres').pk}")
    retire.get_by_label("Retire").check()
    retire.get_by_role("button", name="Send my answer").click()
    expect(page.locator("#id_item{}-note_error".format(
        campaign.items.get(approval__server__name="postgres").pk))).to_contain_text(
        "the reason to retire it (the note) is required")
    screenshot(page, "campaign-answer-refused")
    retire = page.locator(f"#item-{campaign.items.get(approval__server__name='postgres').pk}")
    retire.get_by_label("Retire").check()
    retire.get_by_label("Note").fill("Replaced by the data warehouse's own server.")
    retire.get_by_role("button", name="Send my answer").click()
    expect(page.locator(".messages")).to_contain_text("Answer recorded: Retire for postgres")
    assert Approval.objects.get(server__name="postgres").status == "revoked"

    keep = page.locator(f"#item-{campaign.items.get(approval__server__name='context7').pk}")
    keep.get_by_label("Keep with changes").check()
    keep.get_by_label("Note").fill("Drop the write token from the env.")
    keep.get_by_role("button", name="Send my answer").click()
    expect(page.locator(".messages")).to_contain_text("Kept with changes")
    expect(page.locator("h1")).to_contain_text("context7")
    expect(page.locator("#campaign-items-count")).to_have_count(0)
    screenshot(page, "campaign-kept-with-changes-request")

    sec.goto(f"/campaigns/{campaign.pk}/")
    expect(sec.locator("#count-answered")).to_have_text("2")
    expect(sec.locator("#count-open")).to_have_text("0")
    expect(sec.locator("svg.chart title")).to_contain_text("answered 2, open 0, overdue 0")
    screenshot(sec, "campaign-progress")
    with sec.expect_download() as download:
        sec.get_by_role("link", name="Report (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted((r["server"], r["answer"], r["answered_by"]) for r in rows) == [
        ("context7", "keep_with_changes", "owner"), ("postgres", "retire", "owner")]
