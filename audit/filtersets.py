"""The audit trail's one FilterSet, shared by the page (`/audit/`) and the API
(`GET /api/v1/audit/`): the object an entry concerns, its actor, its action and its time.
The page's names for two of them (`type`, `id`) are the API's `object_type` and `object_pk`;
both work on both."""

import datetime as dt
import re

import django_filters
from auditlog.models import LogEntry
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from governance.filtering import ChoiceFilter, FilterSet, OrderingFilter

from .trail import with_parts

ACTIONS = {"create": 0, "update": 1, "delete": 2, "access": 3}
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
WHEN_RULE = "use a date such as 2026-01-31 or a time such as 2026-01-31T09:00:00Z"


class DayOrTimeField(forms.Field):
    """A day (YYYY-MM-DD, as the page's date fields send it: the whole day counts) or an
    ISO 8601 time (as the API documents it), as UTC."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if DAY.match(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                raise forms.ValidationError(WHEN_RULE, code="invalid") from None
        try:
            parsed = django_filters.fields.IsoDateTimeField().to_python(text)
        except forms.ValidationError:
            raise forms.ValidationError(WHEN_RULE, code="invalid") from None
        # Python reads offsets up to 23:59 but PostgreSQL only up to 15:59 ("time zone
        # displacement out of range"): the value goes to the database in UTC, and one that
        # UTC cannot hold (year 1 at +20:00) is refused like any other bad date.
        try:
            return parsed.astimezone(dt.UTC)
        except (OverflowError, ValueError) as exc:
            raise forms.ValidationError(
                "is outside the range of dates: use a time such as 2026-01-31T09:00:00Z",
                code="invalid") from exc


@extend_schema_field(OpenApiTypes.STR)  # a day (YYYY-MM-DD) or an ISO 8601 time
class DayOrTimeFilter(django_filters.Filter):
    """`since` keeps entries from that day or time on, `until` up to that day's end or that
    time."""

    field_class = DayOrTimeField

    def filter(self, qs, value):
        if value is None:
            return qs
        day = not isinstance(value, dt.datetime)
        field = "timestamp__date" if day else "timestamp"
        return qs.filter(**{f"{field}__{self.lookup_expr}": value})


class ObjectTypeField(forms.CharField):
    """app_label.model of a model the portal has (its content type)."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        app_label, _, model = value.lower().partition(".")
        try:
            return ContentType.objects.get_by_natural_key(app_label, model)
        except ContentType.DoesNotExist:
            raise forms.ValidationError(
                f"unknown object type '{value}': use app_label.model, e.g. approvals.request",
                code="invalid") from None


@extend_schema_field(OpenApiTypes.STR)
class ObjectTypeFilter(django_filters.Filter):
    field_class = ObjectTypeField

    def filter(self, qs, value):
        return qs if value is None else qs.filter(content_type=value)


@extend_schema_field(OpenApiTypes.INT)
class RequestNumberFilter(django_filters.Filter):
    """A request's number: a whole number the database can hold."""

    field_class = forms.IntegerField


class AuditFilterSet(FilterSet):
    object_type = ObjectTypeFilter(label="app_label.model, e.g. approvals.request")
    type = ObjectTypeFilter(label="The page's name for object_type")
    object_pk = django_filters.CharFilter()
    id = django_filters.CharFilter(field_name="object_pk",
                                   label="The page's name for object_pk")
    actor = django_filters.CharFilter(field_name="actor__username")
    request = RequestNumberFilter(
        method="filter_request", min_value=1, max_value=2**31 - 1,
        label="A request's whole trail: the request and its sign-offs, comments and events, "
              "as one timeline")
    action = ChoiceFilter(choices=[(v, k) for k, v in ACTIONS.items()], method="filter_action")
    since = DayOrTimeFilter(lookup_expr="gte",
                            label="From this day (YYYY-MM-DD) or time (ISO 8601) on")
    until = DayOrTimeFilter(lookup_expr="lte",
                            label="Up to this day (YYYY-MM-DD, the whole day) or time")
    ordering = OrderingFilter(
        fields={"timestamp": "timestamp", "id": "id", "actor__username": "actor",
                "action": "action", "content_type__model": "object_type"},
        expressions={"actor": F("actor__username")})

    class Meta:
        model = LogEntry
        fields = ["object_type", "type", "object_pk", "id", "request", "actor", "action",
                  "since", "until", "ordering"]

    def filter_action(self, queryset, name, value):
        return queryset.filter(action=int(value))

    def filter_request(self, queryset, name, value):
        return with_parts(queryset, ContentType.objects.get_by_natural_key(
            "approvals", "request"), str(int(value)))
