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
from .models import ChainCheckpoint, ChainLink


def head_message(date: dt.date, seq: int, hash_: str) -> str:
    return f"mcp-governance audit chain head\ndate: {date}\nposition: {seq}\nhash: {hash_}\n"


def verify_against_published(today: dt.date | None = None) -> Verdict:
    """`verify`, and then every head published on an intact day must still be in the chain
    at its position: a chain rewritten from some point on and recomputed to its head shows
    against the heads published since that point. A head whose signature a key served now
    does not verify was altered itself (a rotated-out key's heads are compared unsigned)."""
    verdict = verify()
    if not verdict.ok:
        return verdict
    signer = settings.EXPORT_SIGNER
    keys = {k.key_id: k for k in signer.public_keys(today or timezone.localdate())} \
        if signer else {}
    published = list(ChainCheckpoint.objects.filter(ok=True, seq__gt=0).order_by("date"))
    links = dict(ChainLink.objects.filter(seq__in={c.seq for c in published})
                 .values_list("seq", "hash"))
    for checkpoint in published:
        key = keys.get(checkpoint.key_id)
        if key is not None and not (
                checkpoint.message == head_message(checkpoint.date, checkpoint.seq,
                                                   checkpoint.hash)
                and key.verifies(_signature(checkpoint.signature), checkpoint.message.encode())):
            problem = (f"the head published on {checkpoint.date} was altered: its signature "
                       f"(key {checkpoint.key_id}) does not verify")
        elif links.get(checkpoint.seq) != checkpoint.hash:
            problem = (f"the chain was rewritten: the head published on {checkpoint.date} has "
                       f"{checkpoint.hash} at position {checkpoint.seq}, the chain now "
                       f"{links.get(checkpoint.seq) or 'nothing'}")
        else:
            continue
        return Verdict(False, verdict.checked, verdict.head_seq, verdict.head_hash, problem)
    return verdict


def _signature(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        return b""


def check_and_publish(today: dt.date | None = None) -> tuple[ChainCheckpoint, Verdict]:
    """Verify the chain and record today's checkpoint (again if run twice a day)."""
    today = today or timezone.localdate()
    verdict = verify_against_published(today)
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
