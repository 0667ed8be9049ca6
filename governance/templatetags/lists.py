"""What the list pages share: sortable column headers (the `ordering` parameter of the
list's FilterSet, governance.filtering.OrderingFilter) and the countdown beside a due date
("due in 2 days", "overdue by 3 days"), read from the same `expected_decision` the overdue
job compares with the clock."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django import template
from django.utils import timezone

from governance.html import format_html, format_html_join

register = template.Library()


def due_phrase(due: dt.datetime, now: dt.datetime) -> str:
    """How long until `due`, or how long past it: whole days, or hours (minutes) within
    the last day. Past due exactly as the overdue job sees it: `due < now`."""
    late = due < now
    left = (now - due) if late else (due - now)
    if left >= dt.timedelta(days=1):
        amount, unit = left.days, "day"
    elif left >= dt.timedelta(hours=1):
        amount, unit = left.seconds // 3600, "hour"
    else:
        amount, unit = max(left.seconds // 60, 1 if late else 0), "minute"
    if not late and amount == 0:
        return "due now"
    span = f"{amount} {unit}{'' if amount == 1 else 's'}"
    return f"overdue by {span}" if late else f"due in {span}"


@register.simple_tag
def due(request, *, with_time: bool = False, now=None):
    """An open request's due date as <time datetime=...> and its countdown; a decided
    request's due date alone (nothing is due any more)."""
    when = request.expected_decision
    shown = timezone.localtime(when).strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")
    stamp = format_html('<time datetime="{}">{}</time>', when.isoformat(), shown)
    if not request.is_open:
        return stamp
    phrase = due_phrase(when, now or timezone.now())
    kind = "overdue" if phrase.startswith("overdue") else "due"
    return format_html('{} <span class="badge countdown {}">{}</span>', stamp, kind, phrase)


@register.simple_tag(takes_context=True)
def sort_header(context, label: str, key: str):
    """A column header that sorts the list by `key`: ascending first, descending on the
    next click; `aria-sort` says the current order. Other filters stay, the page resets.
    The view gives `sort`: the key the list is sorted by now (`-` first for descending)."""
    current = context.get("sort", "")
    if current == key:
        state, ordering = "ascending", f"-{key}"
    elif current == f"-{key}":
        state, ordering = "descending", key
    else:
        state, ordering = "", key
    # The query string as it is, but the page (reset) and the ordering (in its place, or
    # last): built from the pairs, not a copy of the QueryDict (a deep copy, per heading).
    pairs = []
    for name, values in context["request"].GET.lists():
        if name == "ordering":
            pairs.append((name, ordering))
            ordering = None
        elif name != "page":
            pairs.extend((name, value) for value in values)
    if ordering is not None:
        pairs.append(("ordering", ordering))
    # As WAI-ARIA's sortable table pattern has it: the heading's aria-sort tells the order,
    # the arrow is for the eye alone.
    arrow = {"ascending": "▲", "descending": "▼"}.get(state, "↕")
    return format_html(
        '<th scope="col"{}><a class="sort" href="?{}">{} <span class="sort-arrow" '
        'aria-hidden="true">{}</span></a></th>',
        format_html(' aria-sort="{}"', state) if state else "", urlencode(pairs), label, arrow)


@register.simple_tag
def options(choices, selected=""):
    """A select's <option>s: `choices` are values, or (value, label) pairs; the one equal
    to `selected` is marked selected. One tag instead of a loop with a condition per
    option (the queue's filters have a few dozen, on every page of it)."""
    pairs = ((c, c) if isinstance(c, str) else c for c in choices)
    return format_html_join("", '<option value="{}"{}>{}</option>', (
        (value, " selected" if value == selected else "", label) for value, label in pairs))
