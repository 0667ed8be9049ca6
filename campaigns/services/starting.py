"""Starting a campaign: by the security team, or by the schedule before the organisation's
next review. Every active approval in scope becomes an item put to its owner."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import DirectoryGroup
from accounts.roles import can_manage_reviews
from audit.actors import acting_as, system_user
from audit.writes import audit_written
from governance.errors import InvalidInput, NotAllowed
from governance.locks import job_lock
from governance.models import Organisation
from governance.policy import campaigns as rules
from governance.policy.characters import character_problem
from governance.transactions import after_commit_task
from registry.models import Approval

from ..models import Campaign, CampaignItem

STARTED_TASK = "campaigns.notify_campaign_started"


def _scope_text(risk: str, data_scope: str, team: DirectoryGroup | None) -> str:
    parts = [f"{risk} risk" if risk else "", f"{data_scope} data" if data_scope else "",
             f"owners in {team.display_name}" if team else ""]
    words = ", ".join(part for part in parts if part)
    return f"active approvals: {words}" if words else "every active approval"


def in_scope(*, risk: str, data_scope: str, team: DirectoryGroup | None, today: dt.date):
    """The approvals a campaign with this scope puts to their owners: in force today and
    in no other open campaign."""
    approvals = Approval.objects.deployable(today)
    if risk:
        approvals = approvals.filter(risk=risk)
    if data_scope:
        approvals = approvals.filter(data_scope=data_scope)
    if team is not None:
        approvals = approvals.filter(owner__directory_groups=team)
    return approvals


@transaction.atomic
def start_campaign(*, actor, name: str, due, on_no_answer: str, risk: str = "",
                   data_scope: str = "", team: str = "", today: dt.date | None = None,
                   review_date: dt.date | None = None) -> Campaign:
    """Put every active approval in scope (all, or by risk, data scope and the owner's
    team) to its owner, to answer by `due`; `on_no_answer` says what happens to an approval
    nobody answered for by then (revoke, or flag for the security team). The security team
    only (`actor` None: the schedule). Refused, naming the field, when no approval is in
    scope; nothing is started then."""
    today = today or timezone.localdate()
    if actor is not None and not can_manage_reviews(actor):
        raise NotAllowed("Only the security team can start a recertification campaign.")
    problems = rules.campaign_problems(name=name, due=due, on_no_answer=on_no_answer,
                                       risk=risk, data_scope=data_scope, today=today)
    group = None
    if team and character_problem(team):
        problems.setdefault("team", []).append(character_problem(team))
    elif team:
        group = DirectoryGroup.objects.filter(display_name=team).first()
        if group is None:
            problems.setdefault("team", []).append(
                f"no team is called '{team}': use a group of the identity provider "
                "(its display name), or none for every team")
    if problems:
        raise InvalidInput("The campaign breaks the rules below; nothing was started.",
                           problems)
    scope = _scope_text(risk, data_scope, group)
    approvals = in_scope(risk=risk, data_scope=data_scope, team=group, today=today)
    busy = approvals.filter(campaign_items__campaign__state=Campaign.State.OPEN)
    chosen = list(approvals.exclude(pk__in=busy.values("pk")).values_list("pk", "owner_id"))
    if not chosen:
        already = busy.distinct().count()
        why = (f"; {already} of them are in an open campaign already" if already else "")
        raise InvalidInput(
            f"No approval is in this campaign's scope ({scope}): nothing was started.",
            {"scope": [f"no active approval matches {scope}{why}: widen the scope (risk, "
                       "data scope, team)"]})
    by = actor or system_user()
    with acting_as(by):
        campaign = Campaign(
            name=name.strip(), risk=risk, data_scope=data_scope, team=group,
            scope_text=scope, due=due, on_no_answer=on_no_answer, started_by=actor,
            review_date=review_date)
        try:
            with transaction.atomic():
                campaign.save()
        except IntegrityError as exc:  # the schedule's campaign for this review exists
            raise InvalidInput("A campaign for this review date exists already.", {
                "review_date": [f"{review_date} has its campaign already"]}) from exc
        items = CampaignItem.objects.bulk_create(
            [CampaignItem(campaign=campaign, approval_id=pk, owner_id=owner)
             for pk, owner in chosen], batch_size=1000)
        audit_written([(None, item) for item in items], actor=by, now=timezone.now())
    after_commit_task(STARTED_TASK, campaign.pk)
    return campaign


@transaction.atomic
def start_scheduled_campaign(*, today: dt.date | None = None) -> Campaign | None:
    """The organisation's review cycle as a campaign: started once per next review date,
    SCHEDULE_LEAD_DAYS before it, due on it; approvals nobody answered for are flagged for
    the security team (the schedule revokes nothing by itself). None when none is due, one
    exists, or no approval is active."""
    job_lock("start_scheduled_campaign")
    today = today or timezone.localdate()
    org = Organisation.objects.filter(pk=1).first()
    due = rules.scheduled_campaign_due(org.next_review if org else None, today)
    if due is None or Campaign.objects.filter(review_date=due).exists():
        return None
    try:
        return start_campaign(
            actor=None, name=f"{org.review_cycle.capitalize()} review due {due:%Y-%m-%d}",
            due=due, on_no_answer=rules.FLAG, today=today, review_date=due)
    except InvalidInput:
        return None  # nothing to certify (asked again on the next run)
