"""What the campaign pages read: a campaign's progress, a person's items, the report."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from .models import Campaign, CampaignItem


def progress(campaign: Campaign, today: dt.date | None = None) -> dict[str, int]:
    """Answered, open and overdue items (one query), with the answers and outcomes."""
    today = today or timezone.localdate()
    unanswered = Q(answer="")
    late = Q(outcome__gt="") | Q(campaign__due__lt=today)
    counts = campaign.items.aggregate(
        total=Count("pk"),
        answered=Count("pk", filter=~unanswered),
        open=Count("pk", filter=unanswered & ~late),
        overdue=Count("pk", filter=unanswered & late),
        keep=Count("pk", filter=Q(answer=CampaignItem.Answer.KEEP)),
        keep_with_changes=Count("pk", filter=Q(answer=CampaignItem.Answer.KEEP_WITH_CHANGES)),
        retire=Count("pk", filter=Q(answer=CampaignItem.Answer.RETIRE)),
        revoked=Count("pk", filter=unanswered & Q(outcome=CampaignItem.Outcome.REVOKED)),
        flagged=Count("pk", filter=unanswered & Q(outcome=CampaignItem.Outcome.FLAGGED)),
        void=Count("pk", filter=unanswered & Q(outcome=CampaignItem.Outcome.VOID)),
    )
    counts["percent"] = round(100 * counts["answered"] / counts["total"]) if (
        counts["total"]) else 0
    return counts


def items_of(campaign: Campaign):
    return campaign.items.select_related(
        "approval__server", "owner", "answered_by", "request", "campaign")


def my_items(user):
    """A person's items, the ones still to answer first (soonest due), then the rest."""
    return (CampaignItem.objects.filter(owner=user)
            .select_related("campaign", "approval__server", "answered_by", "request")
            .order_by("-campaign__state", "campaign__due", "approval__server__name", "pk"))


def has_items(user, campaign: Campaign) -> bool:
    return campaign.items.filter(owner=user).exists()


REPORT_COLUMNS = (
    "server", "version", "risk", "data_scope", "approval_id", "owner", "state", "answer",
    "note", "answered_by", "answered_at", "request_filed", "outcome", "outcome_at",
)


def report_rows(campaign: Campaign, today: dt.date | None = None) -> list[dict[str, str]]:
    """Who answered what, when, for each approval in the campaign: the rows of the CSV and
    HTML reports (times in UTC, ISO 8601)."""
    today = today or timezone.localdate()

    def when(value):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""

    rows = []
    for item in items_of(campaign):
        approval = item.approval
        rows.append({
            "server": approval.server.name, "version": approval.version,
            "risk": approval.risk, "data_scope": approval.data_scope,
            "approval_id": str(approval.pk),
            "owner": item.owner.get_username() if item.owner else "(security team)",
            "state": item.state(today), "answer": item.answer, "note": item.note,
            "answered_by": item.answered_by.get_username() if item.answered_by else "",
            "answered_at": when(item.answered_at),
            "request_filed": f"#{item.request_id}" if item.request_id else "",
            "outcome": item.outcome, "outcome_at": when(item.outcome_at),
        })
    return rows
