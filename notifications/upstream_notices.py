"""Notices of the upstream release watch (registry.upstream_watch), recorded in the
transaction that records the finding (receivers of registry.signals), mailed after commit:

- an update available: the approval's owner (its requester unless the security team named
  another person; the security team when the owner has left), once per release, with the
  link that files the bump;
- the approved release deprecated, yanked or unpublished upstream: the security team, at
  once (and the chat);
- a registry failing again and again: the administrators and the platform team, once per
  failing spell."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse

from accounts.roles import Role
from governance.transactions import after_commit_task
from registry.models import UpstreamCheck, UpstreamRelease

from .models import Notification
from .records import Notice, absolute, record, security_team_ids, server_path


def bump_link(server: str, version: str) -> str:
    """The filing form, pre-filled as a version bump of `server` to `version`."""
    return f"{reverse('request-new')}?" + urlencode(
        {"server": server, "kind": "version_bump", "version": version})


def _owner_id(approval) -> int | None:
    """The approval's owner (its requester when none is named), or None when there is none
    or they have left (deactivated): the security team is told instead."""
    owner = approval.owner if approval.owner_id else (
        approval.request.requester if approval.request_id else None)
    return owner.pk if owner is not None and owner.is_active else None


def notify_upstream_release(sender, *, release: UpstreamRelease, **kwargs) -> None:
    approval = release.approval
    name, pinned = approval.server.name, approval.version
    if release.kind == UpstreamRelease.Kind.UPDATE:
        owner = _owner_id(approval)
        released = f", released {release.released_at:%Y-%m-%d}" if release.released_at else ""
        notice = Notice(
            key=f"upstream-update:{approval.pk}:{release.version}"[:120],
            kind=Notification.Kind.UPSTREAM_UPDATE, approval_id=approval.pk,
            subject=f"Update available: {name} {release.version} ({release.level})",
            body=(f"{name} {release.version}{released} is newer than the approved "
                  f"{pinned}: a {release.level} bump ({release.detail}).\n\n"
                  f"File the bump request, pre-filled with the new pin: "
                  f"{absolute(bump_link(name, release.version))}"),
            link=server_path(name), recipients={owner} if owner else security_team_ids())
    else:
        notice = Notice(
            key=f"upstream-withdrawn:{approval.pk}:{release.version}"[:120],
            kind=Notification.Kind.UPSTREAM_WITHDRAWN, approval_id=approval.pk,
            subject=f"Approved release withdrawn upstream: {name} {pinned}",
            body=(f"The approved release {name} {pinned} is {release.detail}.\n\n"
                  "It is still approved and deployed: decide whether to revoke it or ask for "
                  "a bump to a release that is not withdrawn."),
            link=server_path(name), recipients=security_team_ids(), to_chat=True)
    record([notice])
    after_commit_task("approvals.deliver_notifications")


def notify_watch_failing(sender, *, check: UpstreamCheck, **kwargs) -> None:
    admins = set(get_user_model().objects.filter(
        Q(is_superuser=True) | Q(groups__name=Role.PLATFORM_TEAM), is_active=True)
        .values_list("pk", flat=True))
    record([Notice(
        key=f"upstream-failing:{check.pk}:{check.checked_at:%Y%m%d%H%M%S}",
        kind=Notification.Kind.UPSTREAM_FAILING,
        subject=f"Release watch failing for {check.package_registry} {check.package}",
        body=(f"The upstream release watch could not read {check.package} from the "
              f"{check.package_registry} registry {check.failures} times in a row. Last "
              f"error: {check.last_error}\n\nCheck UPSTREAM_NPM_URL / UPSTREAM_PYPI_JSON_URL "
              "and the mirror; until it answers, newer and withdrawn releases of this "
              "package go unnoticed."),
        recipients=admins, to_chat=True)])
    after_commit_task("approvals.deliver_notifications")
