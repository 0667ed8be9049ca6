"""Delivering recorded notices: mailed (plain text and HTML, linking to the portal) and,
where NOTIFY_WEBHOOK_URL is set, posted to the chat as Slack-compatible JSON. A notice
recorded while the mail server, the chat or the broker was down is sent by the next run of
`deliver_pending` (the reconciling job)."""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.request

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Notification
from .preferences import sort_recipients
from .records import RETRY_WINDOW, absolute

log = logging.getLogger(__name__)


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
                to = sort_recipients(n)  # the rest: digest, or no mail
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
