"""What every filtered list needs, page or API: filters whose refusals name the rule (the
values a choice takes, the words a yes/no takes), and the page's way of applying a
FilterSet (django-filter) so that a bad value is a message, never a 500 or a silent
"everything". The FilterSets themselves live in their apps (`<app>/filtersets.py`), one per
list, shared by the page and the API (as NetBox does)."""

from __future__ import annotations

import copy

import django_filters
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F
from django.http import QueryDict
from django_filters import fields
from django_filters.constants import EMPTY_VALUES
from django_filters.filters import QuerySetRequestMixin


def _allowed(field) -> str:
    return ", ".join(str(value) for value, _label in field.choices if value != "")


class ChoiceField(fields.ChoiceField):
    def validate(self, value):
        if value not in self.empty_values and not self.valid_value(value):
            raise forms.ValidationError(
                f"unknown value '{value}': use one of {_allowed(self)}", code="invalid_choice")
        super().validate(value)


class MultipleChoiceField(fields.MultipleChoiceField):
    def to_python(self, value):
        # The pages' "any" option sends an empty value: no filter, not an unknown value.
        return [item for item in super().to_python(value) if item != ""]

    def validate(self, value):
        for item in value:
            if not self.valid_value(item):
                raise forms.ValidationError(
                    f"unknown value '{item}': use one of {_allowed(self)}",
                    code="invalid_choice")
        super().validate(value)


TRUE, FALSE = ("true", "1", "on", "yes"), ("false", "0", "off", "no")


class YesNoField(forms.Field):
    """true/false (or 1/0, on/off as a checkbox sends it, yes/no); empty is no filter."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise forms.ValidationError(f"unknown value '{value}': use true or false",
                                    code="invalid")


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, with its filters copied for each use shallowly rather than
    deeply: the lists are read under load, and the deep copy of every filter (its choices,
    the ordering's expressions) cost more than the query (issue 10). A filter keeps no state
    of its use but its parent and model, which each copy gets of its own, and the method it
    calls, bound again to the copy. Not for a filter whose field depends on the request (a
    ModelChoiceFilter's queryset callable writes it into the shared `extra`)."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, base in self.base_filters.items():
            if isinstance(base, QuerySetRequestMixin):
                raise ImproperlyConfigured(f"{type(self).__name__}.{name}: a filter that reads "
                                           "the request cannot be copied shallowly")
            filter_ = copy.copy(base)
            if base.method is not None:
                filter_.method = base.method  # its FilterMethod calls this copy's parent
            filter_.model = queryset.model
            filter_.parent = self
            self.filters[name] = filter_

    def get_form_class(self):
        """The form class, made once per FilterSet class (django-filter makes one for each
        use; the form copies its fields for each use itself)."""
        form_class = _form_classes.get(type(self))
        if form_class is None:
            form_class = _form_classes[type(self)] = super().get_form_class()
        return form_class


_form_classes: dict[type, type] = {}


class ChoiceFilter(django_filters.ChoiceFilter):
    field_class = ChoiceField


class MultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = MultipleChoiceField


class YesNoFilter(django_filters.BooleanFilter):
    field_class = YesNoField


class OrderingField(ChoiceField):
    def validate(self, value):
        if value not in self.empty_values and not self.valid_value(value):
            keys = ", ".join(str(v) for v, _label in self.choices
                             if v != "" and not str(v).startswith("-"))
            raise forms.ValidationError(
                f"unknown sort key '{value}': use one of {keys} (a leading - sorts "
                "descending)", code="invalid_choice")
        super().validate(value)


class OrderingFilter(django_filters.OrderingFilter):
    """`ordering`, as DRF's reads it: sort keys, comma-separated, a leading `-` for
    descending. A key is a field, or an expression (a rank that sorts LOW < MEDIUM < HIGH,
    a column that may be empty: empty ones last both ways on every database). The row's id
    comes last, so pages never overlap, and the default order (the index's) stays when
    no key is given."""

    field_class = OrderingField

    def __init__(self, *args, fields, expressions=None, **kwargs):
        self.expressions = expressions or {}
        kwargs.setdefault("help_text", "Sort keys, comma-separated; a leading - sorts "
                                       "descending.")
        super().__init__(*args, fields=fields, **kwargs)

    def get_ordering_value(self, param):
        descending = param.startswith("-")
        key = param[1:] if descending else param
        if key in self.expressions:
            expression = self.expressions[key]
            return (expression.desc(nulls_last=True) if descending
                    else expression.asc(nulls_last=True))
        field = self.param_map.get(key, key)
        return f"-{field}" if descending else field

    def filter(self, qs, value):
        params = [param for param in value or () if param not in EMPTY_VALUES]
        if not params:
            return qs
        tiebreak = F("pk").desc() if params[-1].startswith("-") else F("pk").asc()
        return qs.order_by(*[self.get_ordering_value(p) for p in params], tiebreak)


def sort_of(filterset, default: str) -> str:
    """The key a page is sorted by (its first, `-` for descending), for its headers."""
    data = getattr(filterset.form, "cleaned_data", None) or {}
    keys = data.get("ordering") or []
    return keys[0] if keys else default


def filtered(filterset) -> tuple:
    """A page's rows and the problems of its filter, by field: the filtered rows when every
    value is valid; otherwise none, and the page says what is wrong (a 400)."""
    if not filterset.is_bound or filterset.is_valid():
        return filterset.qs, {}
    problems = {name: " ".join(str(m) for m in messages)
                for name, messages in filterset.errors.items()}
    return filterset.queryset.none(), problems
