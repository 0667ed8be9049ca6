"""Who hears about what, and how: every notice is first written as a `Notification` record
(its key makes each occasion happen once), then mailed (plain text and HTML, linking to the
portal) and, where NOTIFY_WEBHOOK_URL is set, posted to the chat as Slack-compatible JSON.

Delivery is separate from recording, so a notice recorded while the mail server, the chat
or the broker was down is sent by the next run of `deliver_pending` (the reconciling job)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import smtplib
import urllib.request

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role

from .models import Notification, Request, RequestEvent

log = logging.getLogger(__name__)

SUBJECTS = {
    "filed": "New request #{pk}: {server} {version}",
    "assigned": "Request #{pk} ({server}) has a reviewer",
    "needs_info": "Request #{pk} ({server}) needs more information from you",
    "sandbox_trial": "Request #{pk} ({server}) moved to sandbox trial",
    "awaiting_security": "Request #{pk} ({server}) awaits security",
    "under_review": "Request #{pk} ({server}) is under review",
    "resubmitted": "Request #{pk} ({server}) was resubmitted",
    "signed_off": "Request #{pk} ({server}) has a new sign-off",
    "commented": "New comment on request #{pk} ({server})",
    "approved": "Approved: {server} {version} (request #{pk})",
    "denied": "Denied: {server} {version} (request #{pk})",
}
# The verbs the chat hears about too; the rest is for the people on the request.
CHAT_VERBS = frozenset({"filed", "approved", "denied"})
# How long an unsent notice is retried; older ones are given up (and stay in the list).
RETRY_WINDOW = dt.timedelta(days=3)


def request_path(request_id: int) -> str:
    return reverse("request-detail", args=[request_id])


def server_path(name: str) -> str:
    return reverse("server-detail", args=[name])


def absolute(path: str) -> str:
    """A path of the portal as the address people open from a mail or the chat: jobs and
    workers have no HTTP request to take the host from, so it comes from PORTAL_BASE_URL."""
    return f"{settings.PORTAL_BASE_URL}{path}" if path.startswith("/") else path


def security_team_ids() -> set[int]:
    return set(get_user_model().objects.filter(
        groups__name=Role.SECURITY_TEAM, is_active=True).values_list("pk", flat=True))


# ─── recording ──────────────────────────────────────────────────────────────────────


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


# ─── request events ─────────────────────────────────────────────────────────────────

# RequestEvent.verb -> the verb of SUBJECTS it is told as.
EVENT_VERBS = {
    "filed": "filed", "claimed": "assigned", "assigned": "assigned",
    "resubmitted": "resubmitted", "signed_off_approve": "signed_off",
    "commented": "commented", "approved": "approved", "denied": "denied",
    "auto_denied": "denied",
}


def _verb_of(event: RequestEvent) -> str | None:
    if event.verb == "status_changed":
        return event.to_status if event.to_status in SUBJECTS else None
    return EVENT_VERBS.get(event.verb)


def recipient_ids(request: Request, verb: str, security: set[int] | None = None) -> set[int]:
    people = {request.requester_id}
    if request.reviewer_id:
        people.add(request.reviewer_id)
    if verb in ("filed", "resubmitted") and not request.reviewer_id:
        people |= security_team_ids() if security is None else security
    return people


def event_notice(request: Request, event: RequestEvent, verb: str,
                 security: set[int] | None = None) -> Notice:
    subject = SUBJECTS[verb].format(pk=request.pk, server=request.server.name,
                                    version=request.version).strip()
    lines = [f"Status: {request.get_status_display()}"]
    if event.actor_id and event.actor:
        lines.append(f"By: {event.actor.get_full_name() or event.actor.get_username()}")
    if verb == "denied" and request.denial_reason:
        lines += ["", f"Reason: {request.denial_reason.strip()}"]
        if request.denial_alternative:
            lines.append(f"Alternative: {request.denial_alternative.strip()}")
    if verb == "approved":
        approval = getattr(request, "resulting_approval", None)
        if approval is not None:
            lines.append(f"Valid until: {approval.expires:%Y-%m-%d}")
    return Notice(
        key=f"event:{event.pk}", kind=Notification.Kind.REQUEST_EVENT, subject=subject,
        body="\n".join(lines), link=request_path(request.pk),
        recipients=recipient_ids(request, verb, security), request_id=request.pk,
        to_chat=verb in CHAT_VERBS,
    )


def request_event(request_id: int, verb: str) -> int:
    """Notify what just happened to a request (queued by the workflow after commit): the
    latest timeline event of that kind becomes a notice, once; returns the mails sent."""
    request = Request.objects.select_related("server", "requester", "reviewer").filter(
        pk=request_id).first()
    if request is None or verb not in SUBJECTS:
        return 0
    events = RequestEvent.objects.filter(request=request).select_related("actor").order_by("-id")
    event = next((e for e in events[:20] if _verb_of(e) == verb), None)
    if event is None:
        return 0
    record([event_notice(request, event, verb)])
    return deliver_pending(keys=[f"event:{event.pk}"])


def record_missed_request_events(*, since: dt.datetime) -> int:
    """Reconcile: timeline events since `since` that have no notice yet (their task was
    never queued because the broker was down) get one now. Returns how many."""
    events = (RequestEvent.objects.filter(created_at__gte=since)
              .exclude(verb__in=("imported", "edited", "withdrawn")).order_by("id"))
    rows = list(events.values_list("pk", "request_id", "verb"))
    # As the workflow does: the last sign-off of an approval is told as the approval, and a
    # filing denied at once (RESTRICTED data) only as the denial.
    told_as_next = {"signed_off_approve": "approved", "filed": "auto_denied"}
    next_verb, last = {}, {}
    for pk, request_id, verb in rows:
        if request_id in last:
            next_verb[last[request_id]] = verb
        last[request_id] = pk
    known = set()
    keys = [f"event:{pk}" for pk, _, _ in rows]
    for start in range(0, len(keys), 900):
        known.update(Notification.objects.filter(key__in=keys[start:start + 900])
                     .values_list("key", flat=True))
    missing = [pk for pk, _, verb in rows if f"event:{pk}" not in known
               and not (verb in told_as_next and next_verb.get(pk) == told_as_next[verb])]
    security = None
    notices = []
    for event in events.filter(pk__in=missing).select_related("request__server", "actor"):
        verb = _verb_of(event)
        if verb is None:
            continue
        if security is None:
            security = security_team_ids()
        notices.append(event_notice(event.request, event, verb, security))
    return len(record(notices))


# ─── delivery ───────────────────────────────────────────────────────────────────────


def _emails(notification: Notification) -> list[str]:
    return sorted({u.email for u in notification.recipients.all() if u.is_active and u.email})


def render_mail(notification: Notification, to: list[str]) -> EmailMultiAlternatives:
    url = absolute(notification.link or reverse("catalog"))
    context = {"notification": notification, "url": url,
               "notifications_url": absolute(reverse("notifications")),
               "paragraphs": notification.body.split("\n\n")}
    text = render_to_string("notifications/email.txt", context)
    html = render_to_string("notifications/email.html", context)
    message = EmailMultiAlternatives(notification.subject, text, None, to)
    message.attach_alternative(html, "text/html")
    return message


def chat_escape(text: str) -> str:
    """Slack reads &, < and > as control characters (`<!channel>` pings a channel, `<@U1>` a
    person, `<https://x|label>` hides a link behind a label); its formatting reference says
    to send them as &amp;, &lt; and &gt; when they are meant as text, and nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chat_payload(notification: Notification) -> dict:
    """Slack-compatible: `text` for every client, `blocks` for the ones that render them.
    What people wrote (a reason, a name) is escaped; only the portal's own link is markup."""
    url = absolute(notification.link or reverse("catalog"))
    text = (f"*{chat_escape(notification.subject)}*\n{chat_escape(notification.body)}\n"
            f"<{url}|Open in the portal>")
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn",
                                                                  "text": text}}]}


def post_to_chat(notification: Notification, url: str) -> None:
    data = json.dumps(chat_payload(notification)).encode()
    req = urllib.request.Request(url, data=data, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as response:  # noqa: S310 (admin's URL)
        response.read()


def _pending(field: str, keys, now):
    qs = Notification.objects.filter(**{f"{field}__isnull": True},
                                     created_at__gte=now - RETRY_WINDOW)
    if field == "posted_at":
        qs = qs.filter(to_chat=True)
    if keys is not None:
        qs = qs.filter(key__in=keys)
    return qs.order_by("id")


# Errors that concern one message (a refused address, a malformed header), not the server.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                  smtplib.SMTPDataError, UnicodeError, ValueError)


def deliver_pending(*, keys: list[str] | None = None, limit: int = 1000, now=None) -> int:
    """Mail (and post to the chat) the recorded notices not yet sent, each in its own
    transaction with its row locked, so two workers never send the same notice. A mail or
    chat outage stops the round and the next run carries on; a message the mail server
    refuses does not hold up the others. Returns the mails sent."""
    now = now or timezone.now()
    sent = 0
    for pk in list(_pending("mailed_at", keys, now).values_list("pk", flat=True)[:limit]):
        try:
            with transaction.atomic():
                n = (Notification.objects.select_for_update(skip_locked=True)
                     .filter(pk=pk, mailed_at__isnull=True).prefetch_related("recipients")
                     .first())
                if n is None:
                    continue
                to = _emails(n)
                if to:
                    render_mail(n, to).send(fail_silently=False)
                    sent += 1
                n.mailed_at = timezone.now()
                n.save(update_fields=["mailed_at"])
        except MESSAGE_ERRORS:  # this message is refused, the server is fine: go on
            log.exception("mail of notification %s was refused; the next run retries it", pk)
        except Exception:  # the mail server is out of reach: the next run carries on
            log.exception("mail of notification %s failed; the next run retries it", pk)
            break
    webhook = settings.NOTIFY_WEBHOOK_URL
    if webhook:
        for pk in list(_pending("posted_at", keys, now).values_list("pk", flat=True)[:limit]):
            try:
                with transaction.atomic():
                    n = (Notification.objects.select_for_update(skip_locked=True)
                         .filter(pk=pk, posted_at__isnull=True).first())
                    if n is None:
                        continue
                    post_to_chat(n, webhook)
                    n.posted_at = timezone.now()
                    n.save(update_fields=["posted_at"])
            except Exception:
                log.exception("chat post of notification %s failed; the next run retries it",
                              pk)
                break
    return sent


# ─── selectors ──────────────────────────────────────────────────────────────────────


def notifications_for(user):
    """A user's notices, newest first."""
    return Notification.objects.filter(recipients=user).select_related(
        "request__server", "approval__server").order_by("-created_at", "-id")
