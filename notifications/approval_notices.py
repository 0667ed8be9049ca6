"""Notices about approvals: the 30, 14 and 7-day warnings before one expires, the notice
that one expired, and the notice that one was revoked."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, CharField, Exists, IntegerField, OuterRef, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from governance.locks import job_lock
from governance.transactions import after_commit_task
from registry.models import Approval

from .models import Notification
from .records import Notice, record, server_path

# Days before expiry at which an approval's people are warned (SPEC §8).
EXPIRY_WARNING_DAYS = (30, 14, 7)


def _approval_people(approval_ids, *extra_roles) -> tuple[dict[int, set[int]], set[int]]:
    """The approvers of each approval (one query) and the active members of the roles."""
    by_approval: dict[int, set[int]] = {}
    through = Approval.approvers.through
    for approval_id, user_id in through.objects.filter(approval_id__in=approval_ids).values_list(
            "approval_id", "user_id"):
        by_approval.setdefault(approval_id, set()).add(user_id)
    roles = {"security_team", *extra_roles}
    members = set(get_user_model().objects.filter(
        is_active=True, groups__name__in=roles).values_list("pk", flat=True))
    return by_approval, members


@transaction.atomic
def warn_expiring_approvals(*, today: dt.date | None = None) -> int:
    """At 30, 14 and 7 days before expiry, notify the requester, the approvers and the
    security team, once per threshold. A threshold that passed while the job did not run is
    caught up by the nearest one only (an approval first seen 10 days out gets the 14-day
    warning, not the 30-day one as well). Set-based: a fixed number of queries whatever the
    number of approvals. Returns how many warnings it recorded."""

    job_lock("warn_expiring_approvals")
    today = today or timezone.localdate()
    threshold = Case(
        *[When(expires__lte=today + dt.timedelta(days=d), then=Value(d))
          for d in sorted(EXPIRY_WARNING_DAYS)],
        output_field=IntegerField(),
    )
    due = (
        Approval.objects.deployable(today)
        .filter(expires__lte=today + dt.timedelta(days=max(EXPIRY_WARNING_DAYS)))
        .annotate(threshold=threshold)
        .annotate(warning_key=Concat(Value("expiry-warning:"), Cast("pk", CharField()),
                                     Value(":"), Cast("threshold", CharField()),
                                     output_field=CharField()))
        .annotate(warned=Exists(Notification.objects.filter(key=OuterRef("warning_key"))))
        .filter(warned=False)
    )
    rows = list(due.values_list("pk", "warning_key", "threshold", "server__name", "version",
                                "expires", "request__requester_id", "risk"))
    if not rows:
        return 0
    approvers, security = _approval_people(due.values("pk"))
    notices = []
    for pk, key, step, name, version, expires, requester_id, risk in rows:
        days = (expires - today).days
        in_days = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        notices.append(Notice(
            key=key, kind=Notification.Kind.EXPIRY_WARNING, approval_id=pk,
            subject=f"{name} {version} expires {in_days} ({expires:%Y-%m-%d})",
            body=(
                f"The approval of {name} {version} ({risk} risk) expires on "
                f"{expires:%Y-%m-%d}, {in_days}. This is the {step}-day warning.\n\n"
                "After that date it leaves managed-mcp.json and the allowlist, and AI "
                "assistants can no longer start it. To keep it, file a renewal now: the "
                "review takes about a week."
            ),
            link=server_path(name),
            recipients={*approvers.get(pk, ()), *security,
                        *([requester_id] if requester_id else [])},
            to_chat=True,
        ))
    return len(record(notices))


@transaction.atomic
def notify_expired_approvals(*, now: dt.datetime | None = None,
                             within: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Tell the requester, the approvers, the security and platform teams that an approval
    expired (and left the deployable files), once per approval. It reconciles: an approval
    expired in the last week without its notice gets it, whoever expired it and even if the
    run that expired it stopped before notifying. Returns how many notices it recorded."""

    job_lock("notify_expired_approvals")
    now = now or timezone.now()
    due = (
        Approval.objects.filter(status=Approval.Status.EXPIRED,
                                status_changed_at__gte=now - within)
        .annotate(notice_key=Concat(Value("expired:"), Cast("pk", CharField()),
                                    output_field=CharField()))
        .annotate(told=Exists(Notification.objects.filter(key=OuterRef("notice_key"))))
        .filter(told=False)
    )
    rows = list(due.values_list("pk", "notice_key", "server__name", "version", "expires",
                                "request__requester_id"))
    if not rows:
        return 0
    approvers, people = _approval_people(due.values("pk"), "platform_team")
    notices = [
        Notice(
            key=key, kind=Notification.Kind.EXPIRED, approval_id=pk,
            subject=f"Expired: {name} {version} (on {expires:%Y-%m-%d})",
            body=(
                f"The approval of {name} {version} expired on {expires:%Y-%m-%d}. It is no "
                "longer in managed-mcp.json or the allowlist of managed-settings.json; the "
                "export has been rebuilt, so deploy the latest files.\n\n"
                "To use it again, file a renewal or a new request."
            ),
            link=server_path(name),
            recipients={*approvers.get(pk, ()), *people,
                        *([requester_id] if requester_id else [])},
            to_chat=True,
        )
        for pk, key, name, version, expires, requester_id in rows
    ]
    return len(record(notices))


def notify_revoked(sender, *, approval: Approval, actor, reason: str, **kwargs) -> None:
    """Tell the requester, the approvers, the security and platform teams, once, in the
    revocation's own transaction (a receiver of registry.signals.approval_revoked); the
    mail goes out after commit."""
    approvers, people = _approval_people([approval.pk], "platform_team")
    requester_id = approval.request.requester_id if approval.request_id else None
    name, version = approval.server.name, approval.version
    record([Notice(
        key=f"revoked:{approval.pk}", kind=Notification.Kind.REVOKED, approval_id=approval.pk,
        subject=f"Revoked: {name} {version}",
        body=(f"The approval of {name} {version} was revoked by "
              f"{actor.get_full_name() or actor.get_username()} on "
              f"{timezone.localdate():%Y-%m-%d}.\n\nReason: {reason}\n\n"
              "It is no longer in managed-mcp.json or the allowlist of managed-settings.json: "
              "the files the portal serves already leave it out, so deploy the latest files "
              "now. To use it again, file a new request."),
        link=server_path(name),
        recipients={*approvers.get(approval.pk, ()), *people,
                    *([requester_id] if requester_id else [])},
        to_chat=True,
    )])
    after_commit_task("approvals.deliver_notifications")
