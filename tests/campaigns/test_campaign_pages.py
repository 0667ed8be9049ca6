"""The security team starts a campaign from its page; owners answer on theirs (issue 15)."""

import datetime as dt
import re

from auditlog.models import LogEntry
from django.core import mail
from django.utils import timezone

from approvals.models import Request
from campaigns.models import Campaign, CampaignItem
from notifications.models import Notification
from registry.models import Approval


def _due(days=10):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_security_team_starts_a_campaign_by_risk_and_owners_are_told(
        client_for, security, approvals, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(security).post("/campaigns/", {
            "name": "High risk review", "risk": "HIGH", "due": _due(),
            "on_no_answer": "flag"})

    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response.url == f"/campaigns/{campaign.pk}/"
    assert [(i.approval.server.name, i.owner) for i in campaign.items.all()] == [
        ("postgres", owner)]
    assert campaign.started_by == security and campaign.scope_text == (
        "active approvals: HIGH risk")
    started = [m for m in mail.outbox if m.subject.startswith("Recertify")]
    assert [m.to for m in started] == [[owner.email]]
    assert "postgres" in started[0].body and "context7" not in started[0].body
    assert LogEntry.objects.get_for_object(campaign).get().actor == security
    page = client_for(security).get(response.url).content.decode()
    assert 'id="count-open">1<' in page and "<svg" in page and "postgres" in page


def test_a_campaign_by_team_takes_the_approvals_of_its_members(
        start, payments, other_developer):
    campaign = start(team="Payments")

    assert [i.approval.server.name for i in campaign.items.all()] == ["jira"]
    assert campaign.scope_text == "active approvals: owners in Payments"


def test_a_campaign_with_no_approval_in_scope_is_refused_and_nothing_starts(
        client_for, security, approvals, payments):
    response = client_for(security).post("/campaigns/", {
        "name": "Empty", "risk": "HIGH", "data_scope": "PUBLIC", "due": _due(),
        "on_no_answer": "revoke"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "No approval is in this campaign&#x27;s scope" in html
    assert "scope: no active approval matches active approvals: HIGH risk, PUBLIC data" in html
    assert not Campaign.objects.exists() and not CampaignItem.objects.exists()


def test_approvals_already_in_an_open_campaign_are_not_put_twice(start):
    start(risk="HIGH")
    try:
        start(risk="HIGH", name="Again")
    except Exception as exc:  # noqa: BLE001 - the refusal is what this test reads
        assert "1 of them are in an open campaign already" in str(exc)
    assert Campaign.objects.count() == 1


def test_bad_campaign_settings_are_named_field_by_field(client_for, security, approvals):
    response = client_for(security).post("/campaigns/", {
        "name": "", "due": timezone.localdate().isoformat(), "on_no_answer": "revoke"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "a name is required" in html
    assert "must be after today" in html
    bad = client_for(security).post("/campaigns/", {
        "name": "x", "due": "next week", "on_no_answer": "revoke"})
    assert bad.status_code == 400 and "enter the due date as YYYY-MM-DD" in bad.content.decode()
    assert not Campaign.objects.exists()


def test_only_the_security_team_starts_campaigns(client_for, developer, tech_lead, approvals):
    assert client_for(developer).get("/campaigns/").status_code == 403
    assert client_for(tech_lead).post("/campaigns/", {
        "name": "x", "due": _due(), "on_no_answer": "revoke"}).status_code == 403
    assert not Campaign.objects.exists()


def _answer(client, item, **data):
    return client.post(f"/campaigns/items/{item.pk}/answer/",
                       {f"item{item.pk}-{key}": value for key, value in data.items()})


def test_owner_sees_the_count_and_keeps_an_approval(client_for, start, owner):
    campaign = start()
    client = client_for(owner)
    page = client.get("/campaigns/mine/").content.decode()
    assert 'id="campaign-items-count">2<' in page
    item = campaign.items.get(approval__server__name="context7")

    response = _answer(client, item, answer="keep", note="")

    item.refresh_from_db()
    assert response.status_code == 302 and item.answer == "keep"
    assert item.answered_by == owner and item.answered_at is not None
    assert LogEntry.objects.get_for_object(item).filter(
        action=LogEntry.Action.UPDATE).get().actor == owner
    assert 'id="campaign-items-count">1<' in client.get("/campaigns/mine/").content.decode()
    detail = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert 'id="count-answered">1<' in detail


def test_keep_with_changes_files_a_renewal_filled_from_the_approval(
        client_for, start, owner, approvals):
    item = start().items.get(approval__server__name="context7")

    response = _answer(client_for(owner), item, answer="keep_with_changes",
                       note="Drop the write scope.", version="")

    item.refresh_from_db()
    renewal = Request.objects.get()
    assert response.status_code == 302 and response.url == f"/requests/{renewal.pk}/"
    assert item.answer == "keep_with_changes" and item.request == renewal
    assert renewal.kind == "renewal" and renewal.requester == owner
    assert renewal.config == approvals["context7"].config
    assert renewal.version == approvals["context7"].version
    assert "Drop the write scope." in renewal.notes


def test_keep_with_a_new_version_files_a_version_bump(client_for, start, owner):
    item = start().items.get(approval__server__name="context7")

    _answer(client_for(owner), item, answer="keep_with_changes", note="Move to 1.3.0.",
            version="1.3.0")

    bump = Request.objects.get()
    assert bump.kind == "version_bump" and bump.version == "1.3.0"


def test_retire_revokes_the_approval_with_the_reason(client_for, start, owner, security):
    item = start().items.get(approval__server__name="postgres")

    _answer(client_for(owner), item, answer="retire", note="We moved to the warehouse.")

    approval = Approval.objects.get(pk=item.approval_id)
    assert approval.status == "revoked"
    assert "We moved to the warehouse." in approval.rationale
    assert LogEntry.objects.get_for_object(approval).latest("pk").actor == owner
    revoked = Notification.objects.get(kind="revoked", approval=approval)
    assert security in revoked.recipients.all()


def test_bad_answers_are_refused_naming_the_field_and_change_nothing(
        client_for, start, owner):
    item = start().items.get(approval__server__name="postgres")
    client = client_for(owner)

    no_reason = _answer(client, item, answer="retire", note="  ")
    unknown = _answer(client, item, answer="maybe", note="")

    assert no_reason.status_code == 400
    assert "the reason to retire it (the note) is required" in no_reason.content.decode()
    assert unknown.status_code == 400 and "Select a valid choice" in unknown.content.decode()
    item.refresh_from_db()
    assert item.answer == "" and Approval.objects.get(pk=item.approval_id).status == "active"


def test_a_bump_the_filing_refuses_is_told_and_nothing_changes(client_for, start, owner):
    item = start().items.get(approval__server__name="postgres")

    response = _answer(client_for(owner), item, answer="keep_with_changes", note="x",
                       version="not a version!")

    assert response.status_code == 400 and "version" in response.content.decode()
    item.refresh_from_db()
    assert item.answer == "" and not Request.objects.exists()


def test_only_the_owner_or_the_security_team_answers(client_for, start, other_developer,
                                                      security):
    item = start().items.get(approval__server__name="postgres")

    refused = _answer(client_for(other_developer), item, answer="keep", note="")
    assert refused.status_code == 403
    # dev2 owns jira in the same campaign: the page shows theirs, not the owner's.
    page = client_for(other_developer).get(f"/campaigns/{item.campaign_id}/").content.decode()
    assert ">jira</strong>" in page and ">postgres</strong>" not in page
    assert "report.csv" not in page
    item.refresh_from_db()
    assert item.answer == ""
    assert _answer(client_for(security), item, answer="keep", note="").status_code == 302


def test_an_answer_is_final(client_for, start, owner):
    item = start().items.get(approval__server__name="context7")
    client = client_for(owner)
    _answer(client, item, answer="keep", note="")

    again = _answer(client, item, answer="retire", note="changed my mind")

    assert again.status_code == 400 and "answered already" in again.content.decode()
    assert Approval.objects.get(pk=item.approval_id).status == "active"


def test_the_security_team_answers_on_the_campaign_page_for_items_without_owner(
        client_for, security, approvals):
    Approval.objects.filter(server__name="jira").update(owner=None)
    campaign = services_start(security)
    item = campaign.items.get(approval__server__name="jira")
    assert item.owner is None
    client = client_for(security)
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f'id="answer-{item.pk}"' in page and "security team (no owner)" in page

    refused = client.post(f"/campaigns/items/{item.pk}/answer/", {
        "next": "campaign", f"item{item.pk}-answer": "retire", f"item{item.pk}-note": ""})
    assert refused.status_code == 400
    assert "the reason to retire it (the note) is required" in refused.content.decode()
    done = client.post(f"/campaigns/items/{item.pk}/answer/", {
        "next": "campaign", f"item{item.pk}-answer": "keep", f"item{item.pk}-note": "ok"})
    assert done.status_code == 302 and done.url == f"/campaigns/{campaign.pk}/"
    item.refresh_from_db()
    assert item.answer == "keep" and item.answered_by == security


def test_campaign_changes_are_in_the_audit_trail(client_for, start, owner, security):
    item = start().items.get(approval__server__name="context7")
    _answer(client_for(owner), item, answer="keep", note="")

    page = client_for(security).get(
        f"/audit/?type=campaigns.campaignitem&id={item.pk}").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[page.index("When"):]))
    assert "owner update campaign item #" in text and "answer : — → keep" in text
    assert "sec create campaign item #" in text


def services_start(security):
    from campaigns import services

    return services.start_campaign(
        actor=security, name="No owners", due=timezone.localdate() + dt.timedelta(days=5),
        on_no_answer="flag")
