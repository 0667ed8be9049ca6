"""An owner's answer to a campaign item: keep, keep with changes (a renewal or a version
bump is filed, filled from the approval) or retire (the approval is revoked with the
reason). The owner, or the security team, by the due date; the security team also after it,
for an item the campaign flagged."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.roles import can_manage_reviews
from approvals import services as workflow
from approvals.models import RequestKind
from audit.actors import acting_as
from governance.errors import Conflict, InvalidInput, NotAllowed
from governance.policy import campaigns as rules
from governance.policy import versions
from registry import services as registry_services
from registry.models import Approval

from ..models import CampaignItem


def _check_may_answer(actor, item: CampaignItem, today: dt.date) -> None:
    security = can_manage_reviews(actor)
    approval = item.approval
    if not security and (item.owner_id is None or item.owner_id != actor.pk):
        who = (f"its owner, {item.owner.get_username()}," if item.owner
               else "the security team (it has no owner)")
        raise NotAllowed(f"Only {who} or the security team may answer for "
                         f"{approval.server.name} {approval.version} in this campaign.")
    if item.answer:
        raise Conflict(
            f"{approval.server.name} {approval.version} was answered already "
            f"({item.get_answer_display()}, by {item.answered_by.get_username()} on "
            f"{item.answered_at:%Y-%m-%d}). Nothing was changed.",
            {"answer": ["this item has its answer; an answer is final"]})
    if item.outcome in (CampaignItem.Outcome.REVOKED, CampaignItem.Outcome.VOID):
        raise Conflict(f"{approval.server.name} {approval.version} is closed in this "
                       f"campaign ({item.get_outcome_display()}). Nothing was changed.",
                       {"answer": ["the item is closed"]})
    if rules.is_overdue(item.campaign.due, today) and not security:
        raise Conflict(
            f"The due date of this campaign ({item.campaign.due:%Y-%m-%d}) has passed: the "
            "security team decides now. Nothing was changed.",
            {"answer": [f"answers were due by {item.campaign.due:%Y-%m-%d}"]})
    if approval.status != Approval.Status.ACTIVE:
        raise Conflict(
            f"{approval.server.name} {approval.version} is {approval.status} now: there is "
            "nothing left to recertify. Nothing was changed.",
            {"answer": [f"approval #{approval.pk} is {approval.status}"]})


def _bumped_config(approval: Approval, version: str) -> dict:
    """The approval's config with the package's pin in the arguments moved to `version`,
    as the filing form fills a bump (approvals.views._prefill)."""
    config = approval.config
    if versions.version_problem(version) or not isinstance(config.get("args"), list):
        return config
    return {**config, "args": versions.repin_args(
        config["args"], approval.server.package, approval.version, version)}


@transaction.atomic
def answer_item(*, actor, item: CampaignItem | int, answer: str, note: str = "",
                version: str = "", today: dt.date | None = None) -> CampaignItem:
    """Record `answer` for the item. keep_with_changes files a renewal (or, with a new
    `version`, a version bump) filled from the approval, `note` saying what changes;
    retire revokes the approval with `note` as the reason. Bad input: InvalidInput naming
    the field, nothing changed (the filing's and the revocation's refusals too)."""
    today = today or timezone.localdate()
    pk = item.pk if isinstance(item, CampaignItem) else item
    item = (CampaignItem.objects.select_for_update(of=("self",))
            .select_related("campaign", "approval__server", "owner", "answered_by").get(pk=pk))
    _check_may_answer(actor, item, today)
    problems = rules.answer_problems(answer=answer, note=note)
    if not isinstance(version, str) or len(version) > 100:
        problems.setdefault("version", []).append("a version is text of at most 100 characters")
    if problems:
        raise InvalidInput("The answer breaks the rules below; nothing was changed.", problems)
    approval, campaign = item.approval, item.campaign
    note = note.strip()
    if answer == rules.KEEP_WITH_CHANGES:
        version = version.strip()
        bump = bool(version) and version != approval.version
        item.request = workflow.file_request(
            actor=actor, kind=RequestKind.VERSION_BUMP if bump else RequestKind.RENEWAL,
            server_name=approval.server.name, version=version if bump else "",
            config=_bumped_config(approval, version) if bump else None,
            notes=f"Filed from the recertification campaign '{campaign.name}': {note}",
            what_changed=note)
    elif answer == rules.RETIRE:
        registry_services.retire_approval(
            actor=actor, approval=approval,
            reason=f"retired by its owner in the recertification campaign "
                   f"'{campaign.name}': {note}")
    with acting_as(actor):
        item.answer, item.note = answer, note
        item.answered_by, item.answered_at = actor, timezone.now()
        item.save()
    return item
