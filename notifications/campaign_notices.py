"""Notices of recertification campaigns: to each owner when a campaign puts their approvals
to them, reminders before the due date (7 and 2 days before, and on the day) while they
have items to answer, and, once the due date passed, to the owner and the security team
for each approval revoked or flagged. Each once, by key; items without an owner go to the
security team."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, CampaignItem
from governance.locks import job_lock
from governance.policy import campaigns as rules

from .models import Notification
from .records import RETRY_WINDOW, Notice, record, security_team_ids

TEAM = 0  # the owner key of items with no owner: the security team answers them


def _by_owner(items) -> dict[int, list[CampaignItem]]:
    """Items by who is asked: their owner, or the security team for items with no owner
    or an owner who has left (deactivated: no one would read their notices)."""
    owners: dict[int, list[CampaignItem]] = defaultdict(list)
    for item in items:
        active = item.owner_id and item.owner.is_active
        owners[item.owner_id if active else TEAM].append(item)
    return owners


def _recipients(owner: int, security: set[int]) -> set[int]:
    return security if owner == TEAM else {owner}


def _listing(items) -> str:
    return "\n".join(f"- {item.approval.server.name} {item.approval.version} "
                     f"({item.approval.risk} risk, {item.approval.data_scope})"
                     for item in items)


def _campaign_notices(campaign: Campaign, today: dt.date, security: set[int]) -> list[Notice]:
    link = reverse("campaign-items-mine")
    notices = []
    items = (campaign.items.select_related("approval__server", "owner").order_by(
        "approval__server__name"))
    outcome = ("revoked" if campaign.on_no_answer == rules.REVOKE
               else "flagged for the security team")
    for owner, owned in _by_owner(items).items():
        notices.append(Notice(
            key=f"campaign:{campaign.pk}:started:{owner}", kind=Notification.Kind.CAMPAIGN,
            subject=f"Recertify {len(owned)} approved MCP server"
                    f"{'s' if len(owned) != 1 else ''} by {campaign.due:%Y-%m-%d}",
            body=(f"The recertification campaign '{campaign.name}' asks you to answer for "
                  f"these approvals by {campaign.due:%Y-%m-%d}: keep, keep with changes "
                  f"(a renewal or a version bump is filed) or retire (it is revoked).\n\n"
                  f"{_listing(owned)}\n\nWithout an answer by then, each approval is "
                  f"{outcome}."),
            link=link, recipients=_recipients(owner, security)))
    stage = rules.reminder_stage(campaign.due, today,
                                 started=timezone.localdate(campaign.started_at))
    if stage is None:
        return notices
    when = ("today" if stage == "due" else
            f"in {(campaign.due - today).days} days, on {campaign.due:%Y-%m-%d}")
    for owner, owned in _by_owner(items.filter(answer="", outcome="")).items():
        notices.append(Notice(
            key=f"campaign:{campaign.pk}:{stage}:{owner}", kind=Notification.Kind.CAMPAIGN,
            subject=f"Reminder: {len(owned)} approval{'s' if len(owned) != 1 else ''} to "
                    f"recertify, due {when}",
            body=(f"The recertification campaign '{campaign.name}' is due {when}. These "
                  f"approvals still wait for your answer:\n\n{_listing(owned)}"),
            link=link, recipients=_recipients(owner, security)))
    return notices


def _outcome_notices(security: set[int]) -> list[Notice]:
    """One per item revoked or flagged lately (the run that closed it records it; a later
    run within RETRY_WINDOW records what that one missed)."""
    notices = []
    items = (CampaignItem.objects.filter(answer="", outcome__in=[
        CampaignItem.Outcome.REVOKED, CampaignItem.Outcome.FLAGGED],
        outcome_at__gte=timezone.now() - RETRY_WINDOW)
        .select_related("campaign", "approval__server"))
    for item in items:
        approval, campaign = item.approval, item.campaign
        what = ("was revoked" if item.outcome == CampaignItem.Outcome.REVOKED
                else "is flagged for the security team to decide")
        notices.append(Notice(
            key=f"campaign-item:{item.pk}:{item.outcome}", kind=Notification.Kind.CAMPAIGN,
            approval_id=approval.pk,
            subject=f"{approval.server.name} {approval.version} {what}: no answer in "
                    f"'{campaign.name}'",
            body=(f"No one answered for {approval.server.name} {approval.version} in the "
                  f"recertification campaign '{campaign.name}' by {campaign.due:%Y-%m-%d}, "
                  f"so it {what}."),
            link=reverse("campaign-detail", args=[campaign.pk]),
            recipients=security | ({item.owner_id} if item.owner_id else set()),
            to_chat=item.outcome == CampaignItem.Outcome.REVOKED))
    return notices


@transaction.atomic
def notify_campaigns(*, today: dt.date | None = None, campaign_id: int | None = None) -> int:
    """Record the start notices, the reminders due today and the overdue notices not yet
    recorded (of one campaign, or of every open one). Returns how many it recorded."""
    job_lock("notify_campaigns")
    today = today or timezone.localdate()
    security = security_team_ids()
    campaigns = Campaign.objects.filter(state=Campaign.State.OPEN)
    if campaign_id is not None:
        campaigns = campaigns.filter(pk=campaign_id)
    notices = [notice for campaign in campaigns
               for notice in _campaign_notices(campaign, today, security)]
    if campaign_id is None:
        notices += _outcome_notices(security)
    return len(record(notices))
