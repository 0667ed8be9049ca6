"""The daily campaign run (issue 15): reminders before the due date, and at the due date
each approval no one answered for is revoked or flagged as its campaign says, with notices;
the organisation's review cycle starts its campaign. Time travels with a fixed clock."""

import datetime as dt

import time_machine
from auditlog.models import LogEntry
from django.core import mail
from django.utils import timezone

from audit.actors import SYSTEM_USERNAME
from campaigns.models import Campaign, CampaignItem
from governance.models import Organisation
from notifications import tasks
from registry.models import Approval

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _run_on(day: dt.date):
    with time_machine.travel(dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.UTC),
                             tick=False):
        return tasks.run_campaigns.delay().get()


def _subjects(prefix):
    return sorted((m.subject, tuple(m.to)) for m in mail.outbox if m.subject.startswith(prefix))


def test_owners_are_reminded_a_week_and_two_days_before_and_on_the_day_once_each(
        start, owner, other_developer):
    with time_machine.travel(START, tick=False):
        campaign = start()  # due in 10 days
        campaign.items.filter(approval__server__name="jira").update(answer="keep")
    due = campaign.due
    for days_before in (9, 7, 7, 6, 2, 1, 0, 0):
        _run_on(due - dt.timedelta(days=days_before))

    reminders = _subjects("Reminder:")
    assert [to for _, to in reminders] == [(owner.email,)] * 3  # dev2 answered
    assert {subject.split(", due ")[1] for subject, _ in reminders} == {
        f"in 7 days, on {due:%Y-%m-%d}", f"in 2 days, on {due:%Y-%m-%d}", "today"}
    assert "2 approvals to recertify" in reminders[0][0]


def test_unanswered_approvals_are_revoked_after_the_due_date_and_people_told(
        start, owner, security, approvals):
    with time_machine.travel(START, tick=False):
        campaign = start(on_no_answer="revoke")
        kept = campaign.items.get(approval__server__name="context7")
        kept.answer = "keep"
        kept.save()
    _run_on(campaign.due)  # the due day itself: still time to answer
    assert Approval.objects.filter(status="revoked").count() == 0

    first = _run_on(campaign.due + dt.timedelta(days=1))
    _run_on(campaign.due + dt.timedelta(days=2))

    assert first["revoked"] == 2
    assert set(Approval.objects.filter(status="revoked").values_list(
        "server__name", flat=True)) == {"postgres", "jira"}
    assert Approval.objects.get(pk=approvals["context7"].pk).status == "active"
    postgres = Approval.objects.get(server__name="postgres")
    assert "no answer from its owner" in postgres.rationale
    entry = LogEntry.objects.get_for_object(postgres).latest("pk")
    assert entry.actor.username == SYSTEM_USERNAME
    assert entry.changes["status"] == ["active", "revoked"]
    told = _subjects("postgres 1.2.3 was revoked")
    assert len(told) == 1 and set(told[0][1]) == {owner.email, security.email}
    campaign.refresh_from_db()
    assert campaign.state == "closed"


def test_flagging_campaigns_leave_the_approval_for_the_security_team(
        start, owner, security, client_for):
    with time_machine.travel(START, tick=False):
        campaign = start(on_no_answer="flag")
    _run_on(campaign.due + dt.timedelta(days=1))

    assert Approval.objects.filter(status="active").count() == 3
    item = campaign.items.get(approval__server__name="postgres")
    assert item.outcome == "flagged"
    assert LogEntry.objects.get_for_object(item).latest("pk").changes["outcome"] == [
        "", "flagged"]
    assert len(_subjects("postgres 1.2.3 is flagged")) == 1
    # The owner's time is up; the security team decides.
    answer = {f"item{item.pk}-answer": "keep", f"item{item.pk}-note": ""}
    late = client_for(owner).post(f"/campaigns/items/{item.pk}/answer/", answer)
    assert late.status_code == 400 and "has passed" in late.content.decode()
    assert client_for(security).post(
        f"/campaigns/items/{item.pk}/answer/", answer).status_code == 302
    item.refresh_from_db()
    assert item.answer == "keep" and item.answered_by == security


def test_an_approval_ended_before_the_due_date_is_closed_without_revoking(start):
    with time_machine.travel(START, tick=False):
        campaign = start(on_no_answer="revoke")
    Approval.objects.filter(server__name="jira").update(status="expired")

    result = _run_on(campaign.due + dt.timedelta(days=1))

    assert result["revoked"] == 2
    assert campaign.items.get(approval__server__name="jira").outcome == "void"


def test_the_review_cycle_starts_its_campaign_two_weeks_before_once(
        db, approvals, owner, security):
    review = dt.date(2026, 4, 1)
    Organisation.objects.update_or_create(pk=1, defaults={
        "organization": "ACME", "review_cycle": "quarterly", "next_review": review})

    assert _run_on(review - dt.timedelta(days=15))["started"] is None
    started = _run_on(review - dt.timedelta(days=14))["started"]
    assert _run_on(review - dt.timedelta(days=13))["started"] is None

    campaign = Campaign.objects.get()
    assert started == campaign.pk and campaign.due == review
    assert campaign.started_by is None and campaign.on_no_answer == "flag"
    assert campaign.name == "Quarterly review due 2026-04-01"
    assert CampaignItem.objects.count() == 3
    assert ("Recertify 2 approved MCP servers by 2026-04-01", (owner.email,)) in _subjects(
        "Recertify")


def test_the_schedule_starts_nothing_when_no_approval_is_active(db):
    Organisation.objects.update_or_create(pk=1, defaults={
        "organization": "ACME", "next_review": timezone.localdate() + dt.timedelta(days=7)})

    assert tasks.run_campaigns.delay().get()["started"] is None
    assert not Campaign.objects.exists()


def test_a_short_campaign_skips_the_reminder_its_start_notice_stood_for(start, owner):
    with time_machine.travel(START, tick=False):
        campaign = start(due=START.date() + dt.timedelta(days=5))
    for days_before in (5, 4, 2):
        _run_on(campaign.due - dt.timedelta(days=days_before))

    assert len(_subjects("Recertify")) == 2  # the owner and dev2, once each
    assert [s.split(", due ")[1] for s, _ in _subjects("Reminder:")] == [
        f"in 2 days, on {campaign.due:%Y-%m-%d}"] * 2


def test_the_items_of_an_owner_who_left_are_put_to_the_security_team(
        start, owner, security, client_for):
    with time_machine.travel(START, tick=False):
        campaign = start()
    owner.is_active = False
    owner.save()
    _run_on(campaign.due - dt.timedelta(days=7))

    reminders = _subjects("Reminder:")
    assert (f"Reminder: 2 approvals to recertify, due in 7 days, on {campaign.due:%Y-%m-%d}",
            (security.email,)) in reminders
    assert all(owner.email not in to for _, to in reminders)
    item = campaign.items.get(approval__server__name="postgres")
    answered = client_for(security).post(f"/campaigns/items/{item.pk}/answer/", {
        f"item{item.pk}-answer": "retire", f"item{item.pk}-note": "owner left"})
    assert answered.status_code == 302
    assert Approval.objects.get(pk=item.approval_id).status == "revoked"
