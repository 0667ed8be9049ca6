"""Queries the request pages share: the review queue, a requester's own requests, one
request with everything its page shows, and the dashboard's figures. Each runs a fixed
number of queries, whatever the number of rows."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from accounts.roles import Role
from governance.compiled import CompiledRead
from registry.models import Approval

from .models import OPEN_STATUSES, Comment, Request, RequestEvent, RequestStatus, SignOff

# What the review queue shows of a request and of the people on it, read as values: the page
# is read under load (25 of thousands of open requests), and the long text and the config
# it does not show, and building a model object for each request, server and person, would
# cost more than the query.
QUEUE_FIELDS = (
    "id", "kind", "version", "status", "risk", "data_scope", "proposed_data_scope",
    "bump_level", "expected_decision", "requester_id", "reviewer_id", "server__name",
    "requester__username", "reviewer__username",
)


@dataclass(slots=True)
class QueueItem:
    """A request as a row of the review queue shows it (QUEUE_FIELDS, in their order), and
    its required sign-offs once `approvals.listing.with_steps` has worked them out."""

    pk: int
    kind: str
    version: str
    status: str
    risk: str
    data_scope: str
    proposed_data_scope: str
    bump_level: str
    expected_decision: dt.datetime
    requester_id: int
    reviewer_id: int | None
    server_name: str
    requester_name: str
    reviewer_name: str | None
    steps: list = field(default_factory=list)
    unsignable: list = field(default_factory=list)

    @property
    def effective_data_scope(self) -> str:
        return self.data_scope or self.proposed_data_scope

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def review_queue():
    """Requests soonest due first; the queue's filters (open ones unless a status is asked
    for) are approvals.filtersets.RequestFilterSet, and `queue_items` reads what the page
    shows of them. Their sign-offs are `signoffs_by_request`'s, for the page's rows only."""
    return Request.objects.order_by("expected_decision", "id")


def queue_items(requests):
    """The review queue's values of `requests` (a query set; paginated, then read by
    `as_queue_items`)."""
    return requests.values_list(*QUEUE_FIELDS)


def as_queue_items(page):
    """The page's rows as QueueItems (read in one query)."""
    page.object_list = [QueueItem(*row) for row in page.object_list]
    return page


def my_requests(*, user, status: str = ""):
    """The requests a user filed, newest first."""
    qs = Request.objects.filter(requester=user).select_related("server", "reviewer")
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("-requested_at", "-id")


@dataclass(frozen=True)
class Given:
    """A sign-off as the lists show it."""

    role: str
    decision: str
    user_id: int
    username: str


_SIGNOFFS = CompiledRead(lambda ids: SignOff.objects.filter(request_id__in=ids).values_list(
    "request_id", "role", "decision", "user_id", "user__username"))


def signoffs_by_request(request_ids) -> dict[int, list[Given]]:
    """The sign-offs that count of these requests, in the order given, with who gave them:
    one query, compiled once per number of rows (the query set's building and a prefetch
    would cost more than the read, on every page of a list)."""
    found: dict[int, list[Given]] = {pk: [] for pk in request_ids}
    for request_id, *given in _SIGNOFFS.rows(list(found)):
        found[request_id].append(Given(*given))
    return found


def request_detail(pk: int) -> Request:
    """One request with its server, people, sign-offs, comments and timeline."""
    return (
        Request.objects.select_related(
            "server", "requester", "reviewer", "base_approval", "resulting_approval")
        .prefetch_related(
            Prefetch("signoffs", queryset=SignOff.objects.select_related("user", "on_behalf_of")),
            Prefetch("comments", queryset=Comment.objects.select_related("author")),
            Prefetch("events", queryset=RequestEvent.objects.select_related("actor")),
        )
        .get(pk=pk)
    )


def open_question(req: Request) -> dict | None:
    """While a request needs info: what the reviewer asked when sending it back (the move's
    notes) and the reviewers' comments since, shown where the requester answers."""
    if req.status != RequestStatus.NEEDS_INFO:
        return None
    sent_back = next((e for e in list(req.events.all())[::-1]
                      if e.to_status == RequestStatus.NEEDS_INFO), None)
    if sent_back is None:
        return None
    comments = [c for c in req.comments.all() if c.created_at >= sent_back.created_at
                and c.author_id != req.requester_id]
    return {"event": sent_back, "comments": comments}


def requester_history(request: Request, limit: int = 20):
    """The requester's other requests, newest first (what a reviewer wants to know)."""
    return (
        Request.objects.filter(requester_id=request.requester_id).exclude(pk=request.pk)
        .select_related("server").order_by("-requested_at", "-id")[:limit]
    )


def denials_of(server) -> list[Request]:
    """Earlier denials of a server, newest first, with the reason and the alternative."""
    if server is None:
        return []
    return list(Request.objects.filter(server=server, status=RequestStatus.DENIED)
                .select_related("requester").order_by("-decided_at", "-id"))


def reviewers():
    return get_user_model().objects.filter(
        groups__name=Role.SECURITY_TEAM, is_active=True).order_by("username").distinct()


def dashboard_figures(*, today: dt.date | None = None, now=None) -> dict:
    """Counts by status, risk and scope; expiring approvals; overdue reviews; the median
    time from filing to decision. A fixed number of queries."""
    now = now or timezone.now()
    today = today or timezone.localdate()
    by_status = dict(Request.objects.values_list("status").annotate(n=Count("id"))
                     .values_list("status", "n"))
    active = Approval.objects.deployable(today)
    by_risk = dict(active.values_list("risk").annotate(n=Count("id")).values_list("risk", "n"))
    by_scope = dict(active.values_list("data_scope").annotate(n=Count("id"))
                    .values_list("data_scope", "n"))
    expiring = active.filter(expires__lte=today + dt.timedelta(days=90)).aggregate(
        d30=Count("id", filter=Q(expires__lte=today + dt.timedelta(days=30))),
        d60=Count("id", filter=Q(expires__lte=today + dt.timedelta(days=60))),
        d90=Count("id"),
    )
    overdue = list(
        Request.objects.overdue(now).select_related("server", "reviewer")
        .order_by("expected_decision", "id")[:50]
    )
    decided = Request.objects.filter(
        status__in=(RequestStatus.APPROVED, RequestStatus.DENIED), decided_at__isnull=False,
    ).exclude(events__verb="imported").values_list("requested_at", "decided_at")
    hours = [(d - r).total_seconds() / 3600 for r, d in decided if d >= r]
    return {
        "by_status": [(s.value, s.label, by_status.get(s.value, 0)) for s in RequestStatus],
        "by_risk": [(r, by_risk.get(r, 0)) for r in ("LOW", "MEDIUM", "HIGH")],
        "by_scope": [(s, by_scope.get(s, 0)) for s in ("PUBLIC", "INTERNAL", "CONFIDENTIAL")],
        "expiring": expiring,
        "overdue": overdue,
        "median_hours": statistics.median(hours) if hours else None,
        "decided_count": len(hours),
    }


def role_holders() -> dict[str, set[int]]:
    """The active holders of each role, in one query: who could still sign for it."""
    return signers().ids


@dataclass(frozen=True)
class Signers:
    ids: dict[str, set[int]]  # each role's active holders
    names: dict[str, list[str]]  # their usernames, in order


_SIGNERS = CompiledRead(lambda: get_user_model().objects.filter(
    is_active=True, groups__name__in=Role.values).order_by("username").values_list(
    "pk", "username", "groups__name"))


def signers() -> Signers:
    """The active holders of each role, by id and by username, in one query: the review
    queue flags the roles nobody left can sign and lists the security team as reviewers
    (the same people as `reviewers()`)."""
    ids: dict[str, set[int]] = {role: set() for role in Role.values}
    names: dict[str, list[str]] = {role: [] for role in Role.values}
    for user_id, username, role in _SIGNERS.rows():
        ids[role].add(user_id)
        names[role].append(username)
    return Signers(ids, names)
