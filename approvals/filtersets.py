"""The workflow's lists, each filtered by one FilterSet that its page and its API share: the
review queue (`/queue/`) and `GET /api/v1/requests/`; the catalog (`/`) and
`GET /api/v1/servers/`. A bad value is refused naming the field and the values it takes
(governance.filtering)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from governance.filtering import ChoiceFilter, MultipleChoiceFilter, YesNoFilter
from governance.models import DataScope, Risk
from registry.models import Server

from .catalog import CATALOG_STATUSES
from .models import OPEN_STATUSES, Request, RequestKind, RequestStatus


class RequestFilterSet(django_filters.FilterSet):
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

    class Meta:
        model = Request
        fields = ["status", "kind", "server", "requester", "reviewer", "open", "risk", "scope",
                  "assignee", "mine", "overdue"]

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


class ServerFilterSet(django_filters.FilterSet):
    """The catalog's filters, over `approvals.catalog.catalog()` (whose annotations say a
    server's state and its active approval's risk and scope)."""

    search = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label="Name", max_length=100,
        help_text="Part of the server's name.",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. github"}))
    status = ChoiceFilter(choices=[(s, s) for s in CATALOG_STATUSES], method="filter_status",
                          label="Status", empty_label="any status")
    risk = ChoiceFilter(choices=Risk.choices, field_name="active_risk", label="Risk",
                        empty_label="any risk")
    scope = ChoiceFilter(choices=DataScope.choices, field_name="active_scope",
                         label="Data scope", empty_label="any scope")

    class Meta:
        model = Server
        fields = ["search", "status", "risk", "scope"]

    def filter_status(self, queryset, name, value):
        return {
            "active": lambda: queryset.filter(has_active=True),
            "pending": lambda: queryset.filter(has_open=True),
            "denied": lambda: queryset.filter(has_denial=True, has_active=False),
            "expired": lambda: queryset.filter(has_lapsed=True, has_active=False),
        }[value]()
