"""Recertification campaigns (issue 15): every active approval in a scope put to its owner,
who answers keep, keep with changes or retire by a due date."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from governance.models import DataScope, Risk
from governance.policy import campaigns as rules


class Campaign(models.Model):
    class State(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class OnNoAnswer(models.TextChoices):
        REVOKE = rules.REVOKE, "Revoke the approval"
        FLAG = rules.FLAG, "Flag it for the security team"

    name = models.CharField(max_length=rules.NAME_LIMIT)
    risk = models.CharField(max_length=10, choices=Risk.choices, blank=True,
                            help_text="Scope: approvals of this risk (blank: every risk).")
    data_scope = models.CharField(max_length=20, choices=DataScope.choices, blank=True,
                                  help_text="Scope: approvals of this data scope (blank: all).")
    team = models.ForeignKey("accounts.DirectoryGroup", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+",
                             help_text="Scope: approvals whose owner is in this team.")
    scope_text = models.CharField(max_length=300, help_text="The scope in words, as started.")
    due = models.DateField()
    on_no_answer = models.CharField(max_length=10, choices=OnNoAnswer.choices)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   help_text="Blank: started by the schedule.")
    started_at = models.DateTimeField(default=timezone.now)
    review_date = models.DateField(
        null=True, blank=True, unique=True,
        help_text="The organisation's review date a scheduled campaign was started for.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.name} (due {self.due:%Y-%m-%d})"

    @property
    def started_by_text(self) -> str:
        return self.started_by.get_username() if self.started_by else "the review schedule"


class CampaignItemQuerySet(models.QuerySet):
    def unanswered(self):
        return self.filter(answer="", outcome="")

    def waiting_on(self, user, today: dt.date | None = None):
        """What a person still has to answer: open items of theirs, due today or later."""
        return self.unanswered().filter(owner=user, campaign__state=Campaign.State.OPEN,
                                        campaign__due__gte=today or timezone.localdate())


class CampaignItem(models.Model):
    """One approval put to its owner in a campaign, with the answer and when it was given."""

    class Answer(models.TextChoices):
        KEEP = rules.KEEP, "Keep"
        KEEP_WITH_CHANGES = rules.KEEP_WITH_CHANGES, "Keep with changes"
        RETIRE = rules.RETIRE, "Retire"

    class Outcome(models.TextChoices):
        REVOKED = "revoked", "Revoked: no answer by the due date"
        FLAGGED = "flagged", "Flagged for the security team: no answer by the due date"
        VOID = "void", "No longer active by the due date"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="items")
    approval = models.ForeignKey("registry.Approval", on_delete=models.PROTECT,
                                 related_name="campaign_items")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="campaign_items",
                              help_text="Blank: the approval has no owner; the security "
                                        "team answers.")
    answer = models.CharField(max_length=20, choices=Answer.choices, blank=True)
    note = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    request = models.ForeignKey("approvals.Request", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+",
                                help_text="The renewal or bump that keep with changes filed.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)

    objects = CampaignItemQuerySet.as_manager()

    class Meta:
        ordering = ["approval__server__name", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "approval"],
                                               name="one_item_per_approval_per_campaign")]
        indexes = [models.Index(fields=["owner"], condition=Q(answer="", outcome=""),
                                name="campaign_item_unanswered")]

    def __str__(self):
        return f"{self.approval} in {self.campaign.name}"

    def state(self, today: dt.date | None = None) -> str:
        """answered, open or overdue, as the campaign page counts them."""
        if self.answer:
            return "answered"
        if self.outcome or rules.is_overdue(self.campaign.due, today or timezone.localdate()):
            return "overdue"
        return "open"
