"""format_html for the rows of the long lists: the same escaping (html.escape, as Django's
`escape` does it; a value already marked safe is kept as it is), without Django's check of
each value for a lazy translation (the portal has none: USE_I18N is off). That check is
most of the cost of format_html, which the review queue calls some 200 times a page."""

from __future__ import annotations

import html
from collections.abc import Iterable

from django.utils.safestring import SafeData, SafeString, mark_safe


def _escaped(value) -> str:
    return value if isinstance(value, SafeData) else html.escape(str(value))


def format_html(template: str, *values) -> SafeString:
    """`template` (a literal of the code, never a value) with each value escaped."""
    return mark_safe(template.format(*map(_escaped, values)))


def format_html_join(separator: str, template: str, rows: Iterable[tuple]) -> SafeString:
    """`template` filled from each row's values, escaped, joined by `separator`."""
    return mark_safe(separator.join(template.format(*map(_escaped, row)) for row in rows))
