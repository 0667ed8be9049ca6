"""Validity (SPEC §4 rule 7): an approval lasts the months its risk allows from the
approval date; an approver may shorten it, never lengthen it."""

from __future__ import annotations

import calendar
import datetime as dt

from .routing import PolicyData


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_for(
    *, approved: dt.date, risk: str, policy: PolicyData, shortened: list | None = None
) -> dt.date:
    """Approval date plus the risk's validity; an approver may shorten it, never lengthen."""
    longest = add_months(approved, policy.validity_months[risk])
    earlier = [d for d in (shortened or []) if d is not None and d < longest]
    return min(earlier) if earlier else longest


def expiry_problem(*, approved: dt.date, wanted: dt.date, risk: str | None, policy) -> str | None:
    if wanted <= approved:
        return "the expiry must be after the approval date"
    if risk and wanted > add_months(approved, policy.validity_months[risk]):
        limit = add_months(approved, policy.validity_months[risk])
        return f"{risk} risk allows at most {policy.validity_months[risk]} months ({limit})"
    return None
