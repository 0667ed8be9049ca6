"""Recertification campaigns (issue 15): which campaigns may start, which answers an owner
may give, when owners are reminded and when an item is overdue. Pure: dates and strings in,
problems by field out."""

from __future__ import annotations

import datetime as dt

from .characters import character_problem
from .routing import DATA_SCOPES, RISKS

KEEP, KEEP_WITH_CHANGES, RETIRE = "keep", "keep_with_changes", "retire"
ANSWERS = (KEEP, KEEP_WITH_CHANGES, RETIRE)
REVOKE, FLAG = "revoke", "flag"
ON_NO_ANSWER = (REVOKE, FLAG)

# The longest a campaign may run, and the shortest: owners need a few days to answer.
LONGEST = dt.timedelta(days=180)
SHORTEST = dt.timedelta(days=1)
# Reminders before the due date (days before), then one on the day.
REMINDER_DAYS = (7, 2)
# The schedule starts the review cycle's campaign this many days before the next review.
SCHEDULE_LEAD_DAYS = 14
NAME_LIMIT = 200
NOTE_LIMIT = 2000


def _text_problem(value, *, what: str, limit: int, required: bool) -> str | None:
    if not isinstance(value, str):
        return f"{what} must be text"
    if required and not value.strip():
        return f"{what} is required"
    if len(value) > limit:
        return f"{what} is {len(value)} characters long: use at most {limit}"
    return character_problem(value) if value else None


def campaign_problems(*, name, due, on_no_answer, risk="", data_scope="",
                      today: dt.date) -> dict[str, list[str]]:
    """Why a campaign with these settings cannot start, by field (empty when it can). An
    empty risk or data scope means every one."""
    problems: dict[str, list[str]] = {}

    def add(field, message):
        if message:
            problems.setdefault(field, []).append(message)

    add("name", _text_problem(name, what="a name", limit=NAME_LIMIT, required=True))
    if not isinstance(due, dt.date):
        add("due", "a due date is required (YYYY-MM-DD)")
    elif due < today + SHORTEST:
        add("due", f"the due date {due:%Y-%m-%d} must be after today ({today:%Y-%m-%d}): "
                   "owners need time to answer")
    elif due > today + LONGEST:
        add("due", f"the due date {due:%Y-%m-%d} is more than {LONGEST.days} days away: "
                   "use a date before " f"{today + LONGEST + dt.timedelta(days=1):%Y-%m-%d}")
    if on_no_answer not in ON_NO_ANSWER:
        add("on_no_answer", f"unknown outcome '{on_no_answer}': use revoke (the approval is "
                            "revoked) or flag (the security team decides)")
    if risk and risk not in RISKS:
        add("risk", f"unknown risk '{risk}': use one of {', '.join(RISKS)}, or none for all")
    if data_scope and data_scope not in DATA_SCOPES:
        add("data_scope", f"unknown data scope '{data_scope}': use one of "
                          f"{', '.join(DATA_SCOPES)}, or none for all")
    return problems


def answer_problems(*, answer, note) -> dict[str, list[str]]:
    """Why an owner's answer cannot be recorded, by field (empty when it can): keep needs
    nothing more; keep with changes says what changes; retire says why."""
    if answer not in ANSWERS:
        return {"answer": [f"unknown answer '{answer}': use keep, keep_with_changes or "
                           "retire"]}
    what = {KEEP: "a note", KEEP_WITH_CHANGES: "what changes (the note)",
            RETIRE: "the reason to retire it (the note)"}[answer]
    problem = _text_problem(note, what=what, limit=NOTE_LIMIT, required=answer != KEEP)
    return {"note": [problem]} if problem else {}


def is_overdue(due: dt.date, today: dt.date) -> bool:
    """An item may be answered up to and including its due date."""
    return today > due


def reminder_stage(due: dt.date, today: dt.date, started: dt.date | None = None) -> str | None:
    """Which reminder is due for an unanswered item: `7-days` from a week before,
    `2-days` from two days before, `due` on the day; None before and after, and for a
    stage that had begun when the campaign started (its start notice said as much)."""
    days = (due - today).days
    if days > max(REMINDER_DAYS) or days < 0:
        return None
    step = 0 if days == 0 else min(d for d in REMINDER_DAYS if d >= days)
    if started is not None and started >= due - dt.timedelta(days=step):
        return None
    return "due" if step == 0 else f"{step}-days"


def scheduled_campaign_due(next_review: dt.date | None, today: dt.date) -> dt.date | None:
    """The due date of the campaign the schedule starts for the organisation's next review
    (that date), once the review is at most SCHEDULE_LEAD_DAYS away and still ahead; None
    when none is due to start."""
    if next_review is None:
        return None
    days = (next_review - today).days
    if days < SHORTEST.days or days > SCHEDULE_LEAD_DAYS:
        return None
    return next_review
