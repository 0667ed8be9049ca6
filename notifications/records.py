"""Recording notices: every notice is first written as a `Notification` row whose key names
its occasion (an approval's 7-day warning, a request's escalation, one timeline event), so
each occasion happens once however often a job runs, retries or restarts. Delivery is
separate (notifications.delivery)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from governance import links

from .models import Notification

# How long an unsent notice is retried; older ones are given up (and stay in the list).
RETRY_WINDOW = dt.timedelta(days=3)


def request_path(request_id: int) -> str:
    return reverse("request-detail", args=[request_id])


def server_path(name: str) -> str:
    return reverse("server-detail", args=[name])


def absolute(path: str) -> str:
    """A path of the portal as the address people open from a mail or the chat: jobs and
    workers have no HTTP request to take the host from, so it comes from PORTAL_BASE_URL
    (governance.links: in development only, from the request being served)."""
    return links.absolute(path)


def security_team_ids() -> set[int]:
    return set(get_user_model().objects.filter(
        groups__name=Role.SECURITY_TEAM, is_active=True).values_list("pk", flat=True))



@dataclasses.dataclass
class Notice:
    key: str
    kind: str
    subject: str
    body: str
    link: str = ""
    recipients: set[int] = dataclasses.field(default_factory=set)
    request_id: int | None = None
    approval_id: int | None = None
    to_chat: bool = False


def record(notices: list[Notice], *, now=None, _attempt: int = 0) -> list[Notification]:
    """Write the notices whose key is new, with their recipients, in a fixed number of
    queries per thousand notices. A key seen before is skipped: that is the once-only rule."""
    now = now or timezone.now()
    by_key = {n.key: n for n in notices}
    keys = list(by_key)
    for start in range(0, len(keys), 900):
        for key in Notification.objects.filter(key__in=keys[start:start + 900]).values_list(
                "key", flat=True):
            by_key.pop(key, None)
    if not by_key:
        return []
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create(
                [Notification(key=n.key, kind=n.kind, subject=n.subject[:200], body=n.body,
                              link=n.link, request_id=n.request_id, approval_id=n.approval_id,
                              to_chat=n.to_chat, created_at=now) for n in by_key.values()],
                batch_size=1000,
            )
            _add_recipients([(obj.pk, user_id) for obj in created
                             for user_id in sorted(by_key[obj.key].recipients)])
    except IntegrityError:  # a concurrent run recorded some of them first: skip those
        if _attempt >= 2:
            raise
        return record(list(by_key.values()), now=now, _attempt=_attempt + 1)
    return created


def _add_recipients(pairs: list[tuple[int, int]]) -> None:
    """(notification, user) rows in one statement: a warning run has tens of thousands of
    them, and a model instance for each costs more than the insert itself."""
    through = Notification.recipients.through
    if not pairs:
        return
    if connection.vendor not in ("postgresql", "sqlite"):
        through.objects.bulk_create([through(notification_id=n, user_id=u) for n, u in pairs],
                                    batch_size=2000)
        return
    quote = connection.ops.quote_name
    insert = (f"INSERT INTO {quote(through._meta.db_table)} "
              f"({quote('notification_id')}, {quote('user_id')}) ")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(insert + "SELECT * FROM unnest(%s::bigint[], %s::bigint[])",
                           [[n for n, _ in pairs], [u for _, u in pairs]])
        else:
            cursor.execute(insert + "SELECT json_extract(value, '$[0]'), "
                                    "json_extract(value, '$[1]') FROM json_each(%s)",
                           [json.dumps(pairs)])
