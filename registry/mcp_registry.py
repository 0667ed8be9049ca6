"""The queries of the MCP Registry API (/v0.1/, SPEC §6.4): approvals as served versions.

One query per page whatever its length (the server, the version that supersedes it and
whether it is the server's latest are read in the same statement), keyset pagination on
(server name, approval id) so that the last page costs what the first does.

What is served, and as what (the files' rule, `in_force`, decides "active"):
- an approval in force is `active`; the default list holds only these;
- a revoked one is `deleted`; an expired one (by the job, or past its expiry day before
  the job has run) and a superseded one are `deprecated`: listed with `include_deleted`,
  and to clients that sync with `updated_since` from the moment they stopped.
- the latest version of a server is its approval in force, or else its newest approval."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass

from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from governance.limits import NUL

from .formats import server_json
from .models import Approval, Server, in_force, in_force_q

DEFAULT_LIMIT = 30
MAX_LIMIT = 100
MAX_ID = 2**63 - 1  # a bigint: the largest approval id a database can hold
# `updated_since` is compared in UTC and in the local time zone (a lapse happens at local
# midnight); instants this close to the ends of the calendar are moved a day inward, which
# changes no answer (nothing was written in year 1 or 9999) and no conversion can overflow.
EARLIEST = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
LATEST = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)

FIELDS = ("id", "server__name", "version", "server__source", "server__package_registry",
          "server__package", "config", "data_scope", "expires", "status", "created_at",
          "status_changed_at", "superseded_by__version", "latest_id")


class BadQuery(ValueError):
    """A query parameter this API cannot answer; the message names the parameter."""


@dataclass(frozen=True)
class Query:
    search: str = ""
    namespace: str = ""  # the organisation's, that `search` may reach into
    version: str = ""
    updated_since: dt.datetime | None = None
    include_deleted: bool = False
    after: tuple[str, int] | None = None
    limit: int = DEFAULT_LIMIT


# ─── cursors ────────────────────────────────────────────────────────────────────────


def encode_cursor(name: str, pk: int) -> str:
    raw = json.dumps([name, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_content(name, pk) -> bool:
    """Whether (name, pk) is a key this registry could have put in a cursor: a server name
    the database can hold (no NUL, no lone surrogate, within the column's length) and an id
    in the range of its ids; anything else would end in a database error, not an answer."""
    if not isinstance(name, str) or not isinstance(pk, int) or isinstance(pk, bool):
        return False
    if not 0 < len(name) <= Server._meta.get_field("name").max_length or NUL in name:
        return False
    try:
        name.encode()
    except UnicodeEncodeError:
        return False
    return 0 <= pk <= MAX_ID


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, pk = json.loads(raw)
        if _cursor_content(name, pk):
            return name, pk
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        pass
    raise BadQuery("cursor: not a cursor this registry returned; use metadata.nextCursor "
                   "of the previous page exactly")


# ─── the rows ───────────────────────────────────────────────────────────────────────


def lapse_moment(expires: dt.date) -> dt.datetime:
    """When an approval stops being in force: the start of the day after its expiry."""
    return timezone.make_aware(dt.datetime.combine(expires + dt.timedelta(days=1), dt.time.min))


def _latest_first(today: dt.date):
    return (Case(When(in_force_q(today), then=Value(0)), default=Value(1),
                 output_field=IntegerField()), "-approved_date", "-created_at", "-id")


def _annotated(today: dt.date):
    latest = Approval.objects.filter(server_id=OuterRef("server_id")).order_by(
        *_latest_first(today)).values("id")[:1]
    return Approval.objects.annotate(latest_id=Subquery(latest))


def check_since(since: dt.datetime) -> dt.datetime:
    """`updated_since` in UTC; BadQuery when the instant is outside the calendar there
    (year 1 at +14:00, year 9999 at -14:00)."""
    try:
        return since.astimezone(dt.UTC)
    except OverflowError:
        raise BadQuery("updated_since: must be an instant between the years 1 and 9999 in "
                       "UTC, e.g. 2025-08-07T13:15:04Z") from None


def search_q(search: str, namespace: str) -> Q | None:
    """The official document's `search`: a case-insensitive substring of the served name
    (`namespace/server`). The namespace is every server's, so a term inside it matches
    all; a term across its slash matches the servers whose name starts with what follows
    the slash; None when no served name can hold the term."""
    term, namespace = search.lower(), namespace.lower()
    if "/" not in term:
        return Q() if term in namespace else Q(server__name__icontains=term)
    head, _, tail = term.partition("/")
    if "/" in tail or not namespace.endswith(head):
        return None
    return Q(server__name__istartswith=tail)


def _changed_since(since: dt.datetime, today: dt.date) -> Q:
    """Created, changed status, or lapsed by date (no write happens then) at or after
    `since`."""
    since = min(max(since, EARLIEST), LATEST)
    local = timezone.localtime(since)
    first_expiry = local.date() - dt.timedelta(days=1) if local.time() == dt.time.min \
        else local.date()
    return (Q(created_at__gte=since) | Q(status_changed_at__gte=since)
            | Q(status=Approval.Status.ACTIVE, expires__gte=first_expiry, expires__lt=today))


def _served(row, today: dt.date) -> server_json.ServedVersion:
    (pk, name, version, source, package_registry, package, config, data_scope, expires,
     status, created_at, status_changed_at, superseded_by, latest_id) = row
    updated = max(created_at, status_changed_at or created_at)
    changed_at = status_changed_at
    if in_force(status, expires, today):
        served, message = server_json.ACTIVE, ""
    elif status == Approval.Status.REVOKED:
        served, message = server_json.DELETED, "Revoked by the organisation."
    elif status == Approval.Status.SUPERSEDED:
        served = server_json.DEPRECATED
        message = f"Superseded by version {superseded_by}." if superseded_by else "Superseded."
    else:  # expired, by the job or by date
        served, message = server_json.DEPRECATED, f"Approval expired on {expires.isoformat()}."
        if status == Approval.Status.ACTIVE:  # the job has not run yet
            changed_at = lapse_moment(expires)
            updated = max(updated, changed_at)
    return server_json.ServedVersion(
        server=name, version=version, source=source, package_registry=package_registry,
        package=package, config=config or {}, data_scope=data_scope, expires=expires,
        status=served, status_message=message, published_at=created_at, updated_at=updated,
        status_changed_at=changed_at, is_latest=pk == latest_id)


def served_page(query: Query, today: dt.date | None = None
                ) -> tuple[list[server_json.ServedVersion], tuple[str, int] | None]:
    """One page of served versions in (name, id) order, and the key after which the next
    page starts (None on the last page)."""
    today = today or timezone.localdate()
    rows = _annotated(today)
    if query.updated_since is not None:
        rows = rows.filter(_changed_since(query.updated_since, today))
    elif not query.include_deleted:
        rows = rows.filter(in_force_q(today))
    if query.search:
        found = search_q(query.search, query.namespace)
        if found is None:
            return [], None
        rows = rows.filter(found)
    if query.version == "latest":
        rows = rows.filter(id=Subquery(
            Approval.objects.filter(server_id=OuterRef("server_id"))
            .order_by(*_latest_first(today)).values("id")[:1]))
    elif query.version:
        rows = rows.filter(version=query.version)
    if query.after:
        name, pk = query.after
        rows = rows.filter(Q(server__name__gt=name) | Q(server__name=name, id__gt=pk))
    found = list(rows.order_by("server__name", "id").values_list(*FIELDS)[:query.limit + 1])
    more = len(found) > query.limit
    found = found[:query.limit]
    page = [_served(row, today) for row in found]
    return page, ((found[-1][1], found[-1][0]) if more else None)


def server_versions(server: str, *, include_deleted: bool, today: dt.date | None = None
                    ) -> list[server_json.ServedVersion]:
    """Every version of a server the API shows, newest first (by approval)."""
    today = today or timezone.localdate()
    rows = _annotated(today).filter(server__name=server)
    if not include_deleted:
        rows = rows.exclude(status=Approval.Status.REVOKED)
    return [_served(row, today) for row in rows.order_by(
        "-approved_date", "-created_at", "-id").values_list(*FIELDS)]


def server_version(server: str, version: str, *, include_deleted: bool,
                   today: dt.date | None = None) -> server_json.ServedVersion | None:
    """One version (`latest` for the server's latest), or None."""
    today = today or timezone.localdate()
    rows = _annotated(today).filter(server__name=server)
    if version == "latest":
        rows = rows.order_by(*_latest_first(today))
    else:
        rows = rows.filter(version=version).order_by("-approved_date", "-created_at", "-id")
    row = rows.values_list(*FIELDS).first()
    if row is None:
        return None
    served = _served(row, today)
    if served.status == server_json.DELETED and not include_deleted:
        return None
    return served
