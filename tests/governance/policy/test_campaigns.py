"""The campaign rules (governance.policy.campaigns): pure, no database."""

import datetime as dt

import pytest

from governance.policy import campaigns as rules

TODAY = dt.date(2026, 6, 10)


def _problems(**overrides):
    kwargs = {"name": "Q3", "due": TODAY + dt.timedelta(days=14), "on_no_answer": "revoke",
              "risk": "", "data_scope": "", "today": TODAY, **overrides}
    return rules.campaign_problems(**kwargs)


def test_a_sound_campaign_has_no_problem():
    assert _problems() == {}
    assert _problems(risk="HIGH", data_scope="CONFIDENTIAL", on_no_answer="flag") == {}
    assert _problems(due=TODAY + dt.timedelta(days=1)) == {}
    assert _problems(due=TODAY + dt.timedelta(days=180)) == {}


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"name": ""}, "name", "a name is required"),
    ({"name": "   "}, "name", "a name is required"),
    ({"name": None}, "name", "a name must be text"),
    ({"name": "x" * 201}, "name", "201 characters long: use at most 200"),
    ({"name": "Q3\x00"}, "name", "NUL"),
    ({"due": None}, "due", "a due date is required"),
    ({"due": TODAY}, "due", "must be after today (2026-06-10)"),
    ({"due": TODAY - dt.timedelta(days=3)}, "due", "must be after today"),
    ({"due": TODAY + dt.timedelta(days=181)}, "due", "more than 180 days away: use a date "
                                                     "before 2026-12-08"),
    ({"on_no_answer": "delete"}, "on_no_answer", "unknown outcome 'delete'"),
    ({"risk": "SEVERE"}, "risk", "unknown risk 'SEVERE': use one of LOW, MEDIUM, HIGH"),
    ({"data_scope": "SECRET"}, "data_scope", "unknown data scope 'SECRET'"),
])
def test_bad_settings_are_named_by_field(overrides, field, words):
    problems = _problems(**overrides)
    assert list(problems) == [field]
    assert words in problems[field][0]


@pytest.mark.parametrize(("answer", "note", "field", "words"), [
    ("maybe", "", "answer", "unknown answer 'maybe': use keep, keep_with_changes or retire"),
    ("", "", "answer", "unknown answer"),
    ("retire", "", "note", "the reason to retire it (the note) is required"),
    ("retire", " \n", "note", "is required"),
    ("keep_with_changes", "", "note", "what changes (the note) is required"),
    ("keep", "x" * 2001, "note", "use at most 2000"),
    ("keep", 3, "note", "a note must be text"),
])
def test_bad_answers_are_named_by_field(answer, note, field, words):
    problems = rules.answer_problems(answer=answer, note=note)
    assert list(problems) == [field] and words in problems[field][0]


@pytest.mark.parametrize(("answer", "note"), [
    ("keep", ""), ("keep", "fine"), ("retire", "unused"), ("keep_with_changes", "pin 2.0"),
    ("keep", "x" * 2000),
])
def test_good_answers_pass(answer, note):
    assert rules.answer_problems(answer=answer, note=note) == {}


@pytest.mark.parametrize(("days_left", "stage"), [
    (30, None), (8, None), (7, "7-days"), (5, "7-days"), (3, "7-days"), (2, "2-days"),
    (1, "2-days"), (0, "due"), (-1, None),
])
def test_reminder_stages(days_left, stage):
    assert rules.reminder_stage(TODAY + dt.timedelta(days=days_left), TODAY) == stage


def test_an_item_is_overdue_only_after_its_due_day():
    assert not rules.is_overdue(TODAY, TODAY)
    assert rules.is_overdue(TODAY - dt.timedelta(days=1), TODAY)
    assert not rules.is_overdue(TODAY + dt.timedelta(days=1), TODAY)


@pytest.mark.parametrize(("days_to_review", "starts"), [
    (15, False), (14, True), (5, True), (1, True), (0, False), (-3, False),
])
def test_the_schedule_starts_the_cycle_campaign_in_the_two_weeks_before(days_to_review,
                                                                       starts):
    review = TODAY + dt.timedelta(days=days_to_review)
    assert rules.scheduled_campaign_due(review, TODAY) == (review if starts else None)
    assert rules.scheduled_campaign_due(None, TODAY) is None


@pytest.mark.parametrize(("started_before_due", "days_left", "stage"), [
    (10, 7, "7-days"), (8, 5, "7-days"), (7, 5, None), (5, 4, None), (5, 2, "2-days"),
    (2, 1, None), (2, 0, "due"), (1, 0, "due"),
])
def test_no_reminder_for_a_stage_the_campaign_started_in(started_before_due, days_left,
                                                          stage):
    due = TODAY + dt.timedelta(days=days_left)
    started = due - dt.timedelta(days=started_before_due)
    assert rules.reminder_stage(due, TODAY, started=started) == stage
