"""The hash chain over the audit trail: each django-auditlog entry gets a link whose hash is
sha256(previous link's hash + the entry's canonical form), written in the transaction that
wrote the entry. Appends are serialised by locking the chain's head row (SELECT ... FOR
UPDATE on PostgreSQL; SQLite has one writer at a time anyway), once per transaction's batch;
the hashes are computed in Python over the rows as written, never read back.

Every write path calls `append`: a single save through the post_save receiver
(`audit.apps`), set-based writes from `audit.writes`. `verify` walks the chain and names the
first entry changed, removed or inserted (an entry with no link)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import orjson
from django.db import connection, transaction
from django.db.models import GenericIPAddressField

GENESIS = "0" * 64
# The entry's fields the hash covers, in this order (a fixed list: a new column added by a
# django-auditlog upgrade does not change old hashes).
FIELDS = ("id", "timestamp", "content_type_id", "object_pk", "object_id", "object_repr",
          "serialized_data", "action", "changes_text", "changes", "actor_id", "actor_email",
          "cid", "remote_addr", "remote_port", "additional_data")
BATCH = 5000


INTEGERS = {"id", "content_type_id", "object_id", "action", "actor_id", "remote_port"}
TEXTS = {"object_pk", "object_repr", "changes_text", "cid", "actor_email"}
# The client address as the field sends it to the database: an IPv6 address lower-cased and
# compressed, an empty one as NULL (the request's X-Forwarded-For is the client's to spell).
_ADDRESS = GenericIPAddressField()


def _plain(name: str, value):
    """A value as the database gives it back, whatever Python type it was written from (an
    object_pk saved as 1 reads back as "1")."""
    if value is None:
        return None
    if name == "remote_addr":
        return _ADDRESS.get_prep_value(value) or None
    if name == "timestamp":
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if name in INTEGERS:
        return int(value)
    if name in TEXTS:
        return str(value)
    return value


_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def _dump(name: str, value) -> bytes:
    if value is None:
        return b"null"
    return orjson.dumps(_plain(name, value), option=_OPTIONS, default=str)


def canonical(row: dict, dumped: dict[str, bytes] | None = None) -> bytes:
    """An entry as a JSON array (RFC 8259) of FIELDS in their order, objects inside with
    sorted keys, no spaces, UTF-8: one text for one record. `dumped`: fields already
    serialised, the same for every row of a batch (a set-based write's constants)."""
    dumped = dumped or {}
    return b"[" + b",".join(dumped[name] if name in dumped else _dump(name, row.get(name))
                            for name in FIELDS) + b"]"


def link_hash(previous: str, row: dict) -> str:
    """What `append` computes for a row, one at a time (verify's way)."""
    return hashlib.sha256(previous.encode() + b"\n" + canonical(row)).hexdigest()


def row_of(entry) -> dict:
    """An entry's canonical fields, from the instance as saved."""
    return {name: getattr(entry, name) for name in FIELDS}


def append(rows: list[dict], *, same: dict | None = None, models=None) -> None:
    """Chain `rows` (each an entry's fields as written, its id included; `same`: fields
    every row shares) after the head, inside the caller's transaction."""
    if not rows:
        return
    ChainHead, ChainLink = models or _models()
    dumped = {name: _dump(name, value) for name, value in (same or {}).items()}
    # Inside the caller's transaction as it is (no savepoint of its own); a write made in
    # autocommit gets a transaction here.
    with transaction.atomic(savepoint=False):
        head = _locked_head(ChainHead)
        seq, last = head.seq, head.hash
        # The fields the rows share are serialised once; each row fills in the rest.
        template = [dumped.get(name) for name in FIELDS]
        varying = [(at, name) for at, name in enumerate(FIELDS) if name not in dumped]
        links = []
        for row in sorted(rows, key=lambda r: r["id"]):
            parts = template.copy()
            for at, name in varying:
                parts[at] = _dump(name, row.get(name))
            seq += 1
            last = hashlib.sha256(
                last.encode() + b"\n[" + b",".join(parts) + b"]").hexdigest()
            links.append((seq, row["id"], last))
        _insert_links(ChainLink, links)
        ChainHead.objects.filter(pk=1).update(seq=seq, hash=last)


def _insert_links(ChainLink, links: list[tuple[int, int, str]]) -> None:
    """One INSERT however many links on PostgreSQL (arrays unnested: a job's query count
    does not grow with its rows); bulk_create, batched, elsewhere."""
    if connection.vendor != "postgresql":
        ChainLink.objects.bulk_create(
            [ChainLink(seq=seq, entry_id=entry_id, hash=hash_) for seq, entry_id, hash_ in links],
            batch_size=BATCH)
        return
    seqs, entry_ids, hashes = (list(column) for column in zip(*links, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(ChainLink._meta.db_table)} "
            "(seq, entry_id, hash) SELECT * FROM unnest(%s::bigint[], %s::bigint[], "
            "%s::varchar[])", [seqs, entry_ids, hashes])


def _locked_head(ChainHead):
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        ChainHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def _models():
    from .models import ChainHead, ChainLink

    return ChainHead, ChainLink


def chain_unchained(LogEntry, models=None) -> int:
    """Link every entry that has none, in id order (the upgrade's one pass over the rows
    written before the chain existed)."""
    ChainHead, ChainLink = models or _models()
    linked = ChainLink.objects.values("entry_id")
    ids = list(LogEntry.objects.exclude(pk__in=linked).order_by("pk")
               .values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        append(list(LogEntry.objects.filter(pk__in=ids[start:start + BATCH])
                    .values(*FIELDS)), models=(ChainHead, ChainLink))
    return len(ids)


@dataclass
class Verdict:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    problem: str = ""
    entry_id: int | None = None


def verify() -> Verdict:
    """Walk the chain from the start; the first broken link is named."""
    from auditlog.models import LogEntry

    ChainHead, ChainLink = _models()
    head = ChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    previous, expected, checked = GENESIS, 1, 0
    links = ChainLink.objects.order_by("seq").values_list("seq", "entry_id", "hash")
    after = 0
    while True:
        batch = list(links.filter(seq__gt=after)[:BATCH])
        if not batch:
            break
        entries = {row["id"]: row for row in LogEntry.objects.filter(
            pk__in=[entry_id for _, entry_id, _ in batch]).values(*FIELDS)}
        for seq, entry_id, stored in batch:
            if seq != expected:
                return Verdict(False, checked, head_seq, head_hash,
                               f"the link at chain position {expected} was removed (the "
                               f"chain goes on at {seq}, audit entry #{entry_id})", entry_id)
            row = entries.get(entry_id)
            if row is None:
                return Verdict(False, checked, head_seq, head_hash,
                               f"audit entry #{entry_id} (chain position {seq}) was removed",
                               entry_id)
            if link_hash(previous, row) != stored:
                return Verdict(False, checked, head_seq, head_hash,
                               f"audit entry #{entry_id} (chain position {seq}) was changed, "
                               "or its link was", entry_id)
            previous, expected, checked = stored, expected + 1, checked + 1
        after = batch[-1][0]
    if checked != head_seq or previous != head_hash:
        return Verdict(False, checked, head_seq, head_hash,
                       f"the chain ends at position {checked} but its head says {head_seq}: "
                       "links at the end were removed or the head was changed")
    stray = (LogEntry.objects.exclude(pk__in=ChainLink.objects.values("entry_id"))
             .order_by("pk").values_list("pk", flat=True).first())
    if stray is not None:
        return Verdict(False, checked, head_seq, head_hash,
                       f"audit entry #{stray} was inserted outside the chain (it has no link)",
                       stray)
    return Verdict(True, checked, head_seq, head_hash)
