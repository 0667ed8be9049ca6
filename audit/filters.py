"""The audit API's filter: the object an entry concerns, its actor, its action and its time."""

import datetime as dt

import django_filters
from auditlog.models import LogEntry
from django import forms

ACTIONS = {"create": 0, "update": 1, "delete": 2, "access": 3}


class UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time, as UTC. Python reads offsets up to 23:59 but PostgreSQL only up to
    15:59 ("time zone displacement out of range"): the value goes to the database in UTC,
    and one that UTC cannot hold (year 1 at +20:00) is refused like any other bad date."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(dt.UTC)
        except (OverflowError, ValueError) as exc:
            raise forms.ValidationError(
                "is outside the range of dates: use a time such as 2026-01-31T09:00:00Z",
                code="invalid") from exc


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class AuditFilter(django_filters.FilterSet):
    object_type = django_filters.CharFilter(method="filter_object_type",
                                            label="app_label.model, e.g. approvals.request")
    object_pk = django_filters.CharFilter()
    actor = django_filters.CharFilter(field_name="actor__username")
    action = django_filters.ChoiceFilter(choices=[(v, k) for k, v in ACTIONS.items()],
                                         method="filter_action")
    since = UtcIsoDateTimeFilter(field_name="timestamp", lookup_expr="gte")
    until = UtcIsoDateTimeFilter(field_name="timestamp", lookup_expr="lte")

    class Meta:
        model = LogEntry
        fields = ["object_type", "object_pk", "actor", "action", "since", "until"]

    def filter_object_type(self, queryset, name, value):
        app_label, _, model = value.lower().partition(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)

    def filter_action(self, queryset, name, value):
        return queryset.filter(action=int(value))
