"""The workflow's lists, each filtered by one FilterSet that its page and its API share: the
review queue (`/queue/`) and `GET /api/v1/requests/`; the catalog (`/`) and
`GET /api/v1/servers/`. A bad value is refused naming the field and the values it takes
(governance.filtering)."""

from __future__ import annotations

import functools
from functools import reduce
from operator import or_

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone

from governance.compiled import CompiledRead
from governance.expressions import SEPARATOR, Joined
from governance.filtering import (
    ChoiceFilter,
    FilterSet,
    MultipleChoiceFilter,
    OrderingFilter,
    YesNoFilter,
)
from governance.models import DataScope, Risk
from registry.models import Approval, Server

from .catalog import CATALOG_STATUSES
from .models import OPEN_STATUSES, Request, RequestKind, RequestStatus


def rank(field: str, values, empty: int | None = 0) -> Case:
    """A column's values in their meaning's order (LOW < MEDIUM < HIGH; the workflow's
    order of statuses); an empty value first (0), or last both ways (None)."""
    return Case(*[When(**{field: v}, then=Value(i)) for i, v in enumerate(values, 1)],
                default=Value(empty), output_field=IntegerField())


SEARCH_MAX = 100
MAX_ID = 2**31 - 1
SEARCH_IDS_MAX = 1000


# What the queue's search looks in: of each table, the rows whose columns hold the text.
SEARCHED = {
    "pk__in": (lambda: Request, ("package", "version", "use_case", "what_changed")),
    "server__in": (lambda: Server, ("name", "package")),
    "requester__in": (get_user_model, ("username", "first_name", "last_name")),
}


# A table's searched columns are joined into one text (governance.expressions.Joined),
# which one trigram index per table serves on PostgreSQL (approvals migration 0013): a
# search there reads one index, not one a column (each trigram index walks the entries its
# text shares with most rows, such as "mcp" or "server": half the time of a searched page
# at 100,000 servers). A text that holds the separator is looked for in each column on its
# own, never across two.
def _searched(lookup: str, text: str):
    model, fields = SEARCHED[lookup]
    if SEPARATOR in text:  # it could match across two columns: each column on its own
        return model().objects.filter(
            reduce(or_, (Q(**{f"{field}__icontains": text}) for field in fields)))
    return model().objects.alias(searched=Joined(*fields)).filter(searched__icontains=text)


@functools.cache
def _searches(most: int) -> CompiledRead:
    """Each table's search, up to `most` + 1 ids a table, read in one statement compiled
    once per connection (the queue's search ran three ORM queries built anew at every
    call): rows of (the table's index in SEARCHED, an id)."""
    return CompiledRead(lambda text: tuple(
        _searched(lookup, text).order_by().values_list("pk")[:most + 1]
        for lookup in SEARCHED))


class RequestFilterSet(FilterSet):
    status = MultipleChoiceFilter(choices=RequestStatus.choices)
    kind = ChoiceFilter(choices=RequestKind.choices)
    server = django_filters.CharFilter(field_name="server__name")
    requester = django_filters.CharFilter(field_name="requester__username")
    reviewer = django_filters.CharFilter(field_name="reviewer__username")
    open = YesNoFilter(method="filter_open", label="Only open requests")
    risk = ChoiceFilter(choices=Risk.choices)
    scope = ChoiceFilter(choices=DataScope.choices, method="filter_scope",
                         label="Data scope: the final one, or the proposed one until it is set")
    assignee = django_filters.CharFilter(
        method="filter_assignee", label='The reviewer\'s username, or "none" for unclaimed')
    mine = YesNoFilter(method="filter_mine", label="Only the requests you review")
    overdue = YesNoFilter(method="filter_overdue",
                          label="Only open requests past their expected decision")
    search = django_filters.CharFilter(
        method="filter_search", max_length=SEARCH_MAX, label="Search",
        help_text="Part of the server's name, the package, the version, the requester's "
                  "name, or the justification; or a request's number (#12).")
    ordering = OrderingFilter(
        fields={"expected_decision": "expected_decision", "requested_at": "requested_at",
                "id": "id", "status": "status", "server__name": "server", "kind": "kind",
                "risk": "risk", "requester__username": "requester",
                "reviewer__username": "reviewer"},
        expressions={"status": rank("status", RequestStatus.values),
                     "risk": rank("risk", Risk.values), "reviewer": F("reviewer__username")})

    class Meta:
        model = Request
        fields = ["status", "kind", "server", "requester", "reviewer", "open", "risk", "scope",
                  "assignee", "mine", "overdue", "search", "ordering"]

    def filter_search(self, queryset, name, value):
        """Each table searched on its own (the servers, the people, the requests' own text),
        the queue keeping the requests any of them names. On PostgreSQL each search reads a
        trigram index (approvals migration 0013) and the queue then reads only the requests
        found, by their indexes; one condition over the joined tables would test every open
        request with its server and requester, and PostgreSQL plans a subquery inside an OR
        as a scan. Up to SEARCH_IDS_MAX found ids a table are given as values, more as the
        subquery itself."""
        text = value.strip()
        if not text:
            return queryset
        found: dict[int, list[int]] = {part: [] for part in range(len(SEARCHED))}
        if SEPARATOR in text:  # each column on its own (`_searched`), as it comes
            for part, lookup in enumerate(SEARCHED):
                found[part] = list(_searched(lookup, text).order_by().values_list(
                    "pk", flat=True)[:SEARCH_IDS_MAX + 1])
        else:
            for part, pk in _searches(SEARCH_IDS_MAX).rows(text):
                found[part].append(pk)
        match = Q(pk__in=[])
        for (lookup, ids) in zip(SEARCHED, found.values(), strict=True):
            match |= Q(**{lookup: ids if len(ids) <= SEARCH_IDS_MAX
                          else _searched(lookup, text).values("pk")})
        number = text.removeprefix("#")
        if number.isdigit() and int(number) <= MAX_ID:
            match |= Q(pk=int(number))
        return queryset.filter(match)

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(
            status__in=OPEN_STATUSES)

    def filter_scope(self, queryset, name, value):
        return queryset.filter(Q(data_scope=value) | Q(data_scope="", proposed_data_scope=value))

    def filter_assignee(self, queryset, name, value):
        if value == "none":
            return queryset.filter(reviewer__isnull=True)
        return queryset.filter(reviewer__username=value)

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if not value or user is None:
            return queryset
        return queryset.filter(reviewer=user)

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(timezone.now()) if value else queryset


class ServerFilterSet(FilterSet):
    """The catalog's filters, over `approvals.catalog.catalog()` (whose annotations say a
    server's state and its active approval's risk and scope)."""

    search = django_filters.CharFilter(
        method="filter_search", label="Search", max_length=SEARCH_MAX,
        help_text="Part of the server's name, its package or source, the purpose its "
                  "approval records, or its owner (the team that answers for it).",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. github, docs",
                                     "aria-describedby": "search-help"}))
    status = ChoiceFilter(choices=[(s, s) for s in CATALOG_STATUSES], method="filter_status",
                          label="Status", empty_label="any status")
    risk = ChoiceFilter(choices=Risk.choices, field_name="active_risk", label="Risk",
                        empty_label="any risk")
    scope = ChoiceFilter(choices=DataScope.choices, field_name="active_scope",
                         label="Data scope", empty_label="any scope")

    ordering = OrderingFilter(
        fields={"name": "name", "created_at": "created_at", "package": "package",
                "active_risk": "risk", "active_scope": "scope", "active_expires": "expires"},
        expressions={"risk": rank("active_risk", Risk.values, empty=None),
                     "scope": rank("active_scope", DataScope.values, empty=None),
                     "expires": F("active_expires")})

    class Meta:
        model = Server
        fields = ["search", "status", "risk", "scope", "ordering"]

    def filter_search(self, queryset, name, value):
        """What the server's page shows everyone: its name, package and source, the active
        approval's rationale and owner. (A request's own text is its requester's and the
        reviewers' to read: the queue searches it.)"""
        text = value.strip()
        if not text:
            return queryset
        in_force = Approval.objects.deployable(timezone.localdate()).filter(
            server=OuterRef("pk"))
        approval_match = Q()
        for field in ("rationale", "owner__username", "owner__first_name",
                      "owner__last_name"):
            approval_match |= Q(**{f"{field}__icontains": text})
        return queryset.filter(Q(name__icontains=text) | Q(package__icontains=text)
                               | Q(source__icontains=text)
                               | Exists(in_force.filter(approval_match)))

    def filter_status(self, queryset, name, value):
        return {
            "active": lambda: queryset.filter(has_active=True),
            "pending": lambda: queryset.filter(has_open=True),
            "denied": lambda: queryset.filter(has_denial=True, has_active=False),
            "expired": lambda: queryset.filter(has_lapsed=True, has_active=False),
        }[value]()
