"""The notice about a leaver (SPEC §10): a receiver of accounts.signals.user_deactivated
that hands the leaver's reviews back to the queue (approvals.leavers) and tells the security
team what to hand over, once per deactivation, in the deactivation's own transaction."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from approvals.leavers import hand_over
from governance.transactions import after_commit_task

from .models import Notification
from .records import Notice, absolute, record, request_path, security_team_ids, server_path


def notify_leaver(sender, *, user, reason: str, **kwargs) -> None:
    handover = hand_over(user=user, reason=reason)
    name = user.get_full_name() or user.get_username()
    lines = [f"{name} ({user.get_username()}) was deactivated on "
             f"{timezone.localdate():%Y-%m-%d}: {reason}.",
             "They can no longer sign in and their API tokens no longer work."]
    if handover.reviews:
        lines += ["", "Reviews back in the queue (claim them):"]
        lines += [f"- #{r.pk} {r.server.name} {r.version}: {absolute(request_path(r.pk))}"
                  for r in handover.reviews]
    if handover.requests:
        lines += ["", "Their open requests (withdraw them or find a new requester):"]
        lines += [f"- #{r.pk} {r.server.name} {r.version}: {absolute(request_path(r.pk))}"
                  for r in handover.requests]
    if handover.approvals:
        lines += ["", "Active approvals they signed (name a new owner at the next renewal):"]
        lines += [f"- {a.server.name} {a.version}, expires {a.expires:%Y-%m-%d}: "
                  f"{absolute(server_path(a.server.name))}" for a in handover.approvals]
    if handover.owned:
        lines += ["", "Active approvals they own (name a new owner: the owner is told about "
                      "upstream releases; until then the security team is):"]
        lines += [f"- {a.server.name} {a.version}, expires {a.expires:%Y-%m-%d}: "
                  f"{absolute(server_path(a.server.name))}" for a in handover.owned]
    if not handover:
        lines += ["", "They had no reviews, open requests or active approvals to hand over."]
    stamp = f"{timezone.now():%Y%m%d%H%M%S}"
    record([Notice(
        key=f"leaver:{user.pk}:{stamp}", kind=Notification.Kind.LEAVER,
        subject=f"Leaver: {name}" + (" — work to hand over" if handover else ""),
        body="\n".join(lines), link=reverse("queue"),
        recipients=security_team_ids() - {user.pk},
    )])
    after_commit_task("approvals.deliver_notifications")
