"""The due date passed: each item nobody answered is revoked or flagged for the security
team, as its campaign says; an item whose approval ended meanwhile is closed as void; a
campaign past its due date is closed. The daily job calls it (notifications.tasks)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from audit.actors import acting_as, system_user
from governance.locks import job_lock
from governance.policy import campaigns as rules
from registry import services as registry_services
from registry.models import Approval

from ..models import Campaign, CampaignItem


@transaction.atomic
def close_overdue_items(*, today: dt.date | None = None) -> dict[str, list[int]]:
    """Revoke or flag the unanswered items of campaigns whose due date has passed, once
    each, and close those campaigns. Returns the item ids by outcome (none the 2nd time)."""
    job_lock("close_overdue_campaign_items")
    today = today or timezone.localdate()
    actor = system_user()
    done: dict[str, list[int]] = {outcome: [] for outcome in CampaignItem.Outcome.values}
    items = (CampaignItem.objects.unanswered()
             .filter(campaign__state=Campaign.State.OPEN, campaign__due__lt=today)
             .select_related("campaign", "approval__server").order_by("pk"))
    now = timezone.now()
    for item in items:
        approval, campaign = item.approval, item.campaign
        if approval.status != Approval.Status.ACTIVE:
            outcome = CampaignItem.Outcome.VOID
        elif campaign.on_no_answer == rules.REVOKE:
            registry_services.retire_approval(
                actor=actor, approval=approval,
                reason=f"no answer from its owner by {campaign.due:%Y-%m-%d} in the "
                       f"recertification campaign '{campaign.name}'")
            outcome = CampaignItem.Outcome.REVOKED
        else:
            outcome = CampaignItem.Outcome.FLAGGED
        with acting_as(actor):
            item.outcome, item.outcome_at = outcome, now
            item.save(update_fields=["outcome", "outcome_at"])
        done[outcome].append(item.pk)
    with acting_as(actor):
        for campaign in Campaign.objects.filter(state=Campaign.State.OPEN, due__lt=today):
            campaign.state, campaign.closed_at = Campaign.State.CLOSED, now
            campaign.save(update_fields=["state", "closed_at"])
    return done
