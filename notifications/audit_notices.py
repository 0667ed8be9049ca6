"""The daily audit chain check: the security team gets the signed head each day (a copy of
it outside the database) and an alert, also to the chat, when the chain is broken."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from audit.publish import check_and_publish

from .models import Notification
from .records import Notice, record, security_team_ids


def check_audit_chain(today: dt.date | None = None) -> dict:
    checkpoint, verdict = check_and_publish(today)
    team = security_team_ids()
    signed = (f"Signature (Ed25519, key {checkpoint.key_id}, base64) over the text above:\n"
              f"{checkpoint.signature}" if checkpoint.signature
              else "Export signing is off: this head is not signed.")
    notices = [Notice(
        key=f"audit-head:{checkpoint.date}", kind=Notification.Kind.AUDIT_HEAD,
        subject=f"Audit chain head for {checkpoint.date}: position {checkpoint.seq}",
        body=(f"{checkpoint.message}\n{signed}\n\nKeep this mail: with it, a rewrite of the "
              "audit trail up to this position shows, even one that recomputes the chain."),
        link=reverse("audit"), recipients=team)]
    if not verdict.ok:
        notices.append(Notice(
            key=f"audit-broken:{checkpoint.date}", kind=Notification.Kind.AUDIT_BROKEN,
            subject="The audit trail's hash chain is broken",
            body=(f"The daily check found: {verdict.problem}.\n\n{verdict.checked} entries "
                  "verified before it. Someone with database access changed the audit trail "
                  "(or a restore lost part of it). Run manage.py verify_audit, compare with "
                  "the heads mailed on earlier days, and keep the database as it is."),
            link=reverse("audit"), recipients=team, to_chat=True))
    record(notices)
    return {"ok": verdict.ok, "position": verdict.head_seq, "problem": verdict.problem}
