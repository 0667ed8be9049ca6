"""Dated delegation of a sign-off duty (issue 15 §2): a person hands their duty in one role
to a colleague for a range of days, and may end it early. The rule is
governance.policy.delegation; the record accounts.Delegation (audited: audit.apps); the
sign-off on a delegator's behalf is approvals.services.signoff."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts import delegations
from accounts.models import Delegation
from accounts.roles import is_admin, roles_of
from audit.actors import acting_as
from governance.errors import Conflict, InvalidInput, NotAllowed
from governance.policy import delegation as rule
from governance.transactions import after_commit_task


@transaction.atomic
def delegate_signoffs(*, actor, delegate: str, role: str, starts: dt.date | None,
                      ends: dt.date | None, reason: str, today: dt.date | None = None
                      ) -> Delegation:
    """`actor` delegates their sign-off duty in `role` to the user named `delegate`, from
    `starts` to `ends` inclusive. Only a signing role they hold; never to themselves, nor
    to someone who holds the role; not backwards, not starting in the past, no longer than
    rule.MAX_DAYS, never overlapping their other delegation of the role. Nothing changes
    when a rule refuses: every problem is named by its field."""
    today = today or timezone.localdate()
    users = get_user_model()
    # One delegator's delegations are made one at a time: the overlap check holds.
    users.objects.select_for_update().filter(pk=actor.pk).first()
    colleague = users.objects.filter(username=(delegate or "").strip()).first()
    existing = [delegations.grant_of(d) for d in Delegation.objects.filter(
        delegator=actor, role=role, ended_at__isnull=True)]
    problems = rule.delegation_problems(
        delegator=actor.pk, delegate=colleague.pk if colleague else None, role=role,
        starts=starts, ends=ends, today=today, delegator_roles=roles_of(actor),
        delegate_roles=roles_of(colleague) if colleague else (),
        delegate_active=bool(colleague and colleague.is_active), existing=existing)
    reason = (reason or "").strip()
    if not reason:
        problems["reason"] = "say why, e.g. 'holiday'"
    elif len(reason) > 200:
        problems["reason"] = f"at most 200 characters (it has {len(reason)})"
    if problems:
        raise InvalidInput("The delegation was not made.",
                           {field: [problem] for field, problem in problems.items()})
    with acting_as(actor):
        made = Delegation.objects.create(
            delegator=actor, delegate=colleague, role=role, starts=starts, ends=ends,
            reason=reason, created_by=actor)
    after_commit_task("approvals.deliver_notifications")  # the delegate is told
    return made


@transaction.atomic
def end_delegation(*, actor, delegation: Delegation | int) -> Delegation:
    """End a delegation early, from now on: by its delegator or an administrator. One
    that has ended already, or has run out, is refused (409) and stays as it was."""
    pk = delegation.pk if isinstance(delegation, Delegation) else delegation
    found = Delegation.objects.select_for_update().filter(pk=pk).first()
    if found is None or (found.delegator_id != actor.pk and not is_admin(actor)):
        raise NotAllowed("Only its delegator can end a delegation.",
                         {"delegation": ["you did not make this delegation"]})
    if found.ended_at is not None:
        raise Conflict("This delegation was ended already.",
                       {"delegation": [f"ended {found.ended_at:%Y-%m-%d %H:%M}"]})
    if found.ends < timezone.localdate():
        raise Conflict("This delegation has run out already.",
                       {"delegation": [f"its last day was {found.ends:%Y-%m-%d}"]})
    found.ended_at, found.ended_by = timezone.now(), actor
    with acting_as(actor):
        found.save(update_fields=["ended_at", "ended_by"])
    after_commit_task("approvals.deliver_notifications")
    return found
