"""SPEC §4 rule 7 (governance.policy.validity): an approval lasts the months its risk allows
from the approval date; an approver may shorten it, never lengthen it."""

import datetime as dt

import pytest

from governance.policy import routing, validity

POLICY = routing.PolicyData()



@pytest.mark.parametrize(
    ("risk", "expires"),
    [("LOW", dt.date(2026, 7, 15)), ("MEDIUM", dt.date(2026, 4, 15)),
     ("HIGH", dt.date(2026, 2, 15))],
)
def test_validity_by_risk(risk, expires):
    assert validity.expiry_for(approved=dt.date(2026, 1, 15), risk=risk, policy=POLICY) == expires



def test_an_approver_may_shorten_validity_but_never_lengthen_it():
    approved = dt.date(2026, 1, 31)
    assert validity.expiry_for(approved=approved, risk="HIGH", policy=POLICY,
                             shortened=[dt.date(2026, 2, 10)]) == dt.date(2026, 2, 10)
    assert validity.expiry_for(approved=approved, risk="HIGH", policy=POLICY,
                             shortened=[dt.date(2026, 9, 1)]) == dt.date(2026, 2, 28)
    assert "at most 1 months" in validity.expiry_problem(
        approved=approved, wanted=dt.date(2026, 9, 1), risk="HIGH", policy=POLICY)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),  # across a year end
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),  # into a shorter month
        (dt.date(2026, 7, 31), 6, dt.date(2027, 1, 31)),
        (dt.date(2026, 1, 10), 24, dt.date(2028, 1, 10)),
        (dt.date(2027, 12, 31), 2, dt.date(2028, 2, 29)),  # a leap year
    ],
)
def test_months_are_added_across_year_ends(day, months, expected):
    assert validity.add_months(day, months) == expected


def test_an_expiry_crossing_a_year_end_keeps_the_day():
    assert validity.expiry_for(approved=dt.date(2026, 10, 20), risk="LOW",
                               policy=POLICY) == dt.date(2027, 4, 20)


def test_an_expiry_on_the_approval_day_itself_is_refused():
    approved = dt.date(2026, 3, 1)
    assert validity.expiry_problem(approved=approved, wanted=approved, risk="LOW",
                                   policy=POLICY) == "the expiry must be after the approval date"
    assert validity.expiry_problem(approved=approved, wanted=dt.date(2026, 3, 2), risk="LOW",
                                   policy=POLICY) is None


def test_an_expiry_may_reach_the_risk_limit_but_not_a_day_more():
    approved = dt.date(2026, 1, 31)
    assert validity.expiry_problem(approved=approved, wanted=dt.date(2026, 2, 28), risk="HIGH",
                                   policy=POLICY) is None
    assert validity.expiry_problem(approved=approved, wanted=dt.date(2026, 3, 1), risk="HIGH",
                                   policy=POLICY) == (
        "HIGH risk allows at most 1 months (2026-02-28)")


def test_without_a_risk_any_later_expiry_passes():
    assert validity.expiry_problem(approved=dt.date(2026, 1, 1), wanted=dt.date(2030, 1, 1),
                                   risk=None, policy=POLICY) is None
