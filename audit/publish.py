"""The daily check of the audit chain and the head it publishes: kept as a checkpoint row,
signed with the export signing key (when signing is on), served at its own address and sent
to the security team, so that a copy lives outside the database an administrator could
rewrite."""

from __future__ import annotations

import base64
import datetime as dt

from django.conf import settings
from django.utils import timezone

from .chain import Verdict, verify
from .models import ChainCheckpoint


def head_message(date: dt.date, seq: int, hash_: str) -> str:
    return f"mcp-governance audit chain head\ndate: {date}\nposition: {seq}\nhash: {hash_}\n"


def check_and_publish(today: dt.date | None = None) -> tuple[ChainCheckpoint, Verdict]:
    """Verify the chain and record today's checkpoint (again if run twice a day)."""
    today = today or timezone.localdate()
    verdict = verify()
    message = head_message(today, verdict.head_seq, verdict.head_hash)
    signer = settings.EXPORT_SIGNER
    key_id, signature = "", ""
    if signer is not None:
        key_id = signer.key_id
        signature = base64.b64encode(signer.sign(message.encode())).decode()
    checkpoint, _ = ChainCheckpoint.objects.update_or_create(date=today, defaults={
        "seq": verdict.head_seq, "hash": verdict.head_hash, "ok": verdict.ok,
        "problem": verdict.problem, "message": message, "key_id": key_id,
        "signature": signature, "created_at": timezone.now()})
    return checkpoint, verdict


def latest_checkpoint() -> ChainCheckpoint | None:
    return ChainCheckpoint.objects.order_by("-date").first()
