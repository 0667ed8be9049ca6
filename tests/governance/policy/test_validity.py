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
