"""Dated delegation (governance.policy.delegation): who may sign in a role on a request on
a day, in their own right or on behalf of whom, and what a new delegation must be."""

import datetime as dt

import pytest

from governance.policy.delegation import MAX_DAYS, Grant, Standing, delegation_problems, standing

ANN, BOB, CAROL, DAVE = 1, 2, 3, 4  # ann delegates tech_lead to bob; carol files
MON, FRI = dt.date(2026, 8, 3), dt.date(2026, 8, 7)
HOLIDAY = Grant(delegator=ANN, delegate=BOB, role="tech_lead", starts=MON, ends=FRI)


def ask(*, signer=BOB, role="tech_lead", holds_role=False, requester=CAROL, signed=(),
        grants=(HOLIDAY,), today=MON):
    return standing(signer=signer, role=role, holds_role=holds_role, requester=requester,
                    signed=frozenset(signed), grants=grants, today=today)


@pytest.mark.parametrize("today", [MON, dt.date(2026, 8, 5), FRI])
def test_a_delegate_signs_on_behalf_of_the_delegator_on_every_day_of_the_range(today):
    assert ask(today=today) == Standing(True, on_behalf_of=ANN)


@pytest.mark.parametrize("today", [dt.date(2026, 8, 2), dt.date(2026, 8, 8)])
def test_a_delegation_is_not_in_force_outside_its_range(today):
    refused = ask(today=today)
    assert refused.allowed is False and refused.on_behalf_of is None
    assert refused.problem == (f"your delegation of tech_lead is not in force on "
                               f"{today.isoformat()} (2026-08-03 to 2026-08-07)")


def test_a_delegation_ended_early_is_not_in_force():
    ended = Grant(ANN, BOB, "tech_lead", MON, FRI, ended=True)
    assert ask(grants=(ended,)).problem == (
        "your delegation of tech_lead is not in force on 2026-08-03 "
        "(2026-08-03 to 2026-08-07, ended early)")


def test_a_delegation_lapses_when_the_delegator_no_longer_holds_the_role():
    leaver = Grant(ANN, BOB, "tech_lead", MON, FRI, delegator_holds_role=False)
    assert ask(grants=(leaver,)).problem == (
        "your delegation of tech_lead is not in force on 2026-08-03 "
        "(2026-08-03 to 2026-08-07, the delegator no longer holds the role)")


def test_two_delegations_out_of_range_are_both_named():
    later = Grant(ANN, BOB, "tech_lead", dt.date(2026, 9, 1), dt.date(2026, 9, 2))
    assert ask(grants=(HOLIDAY, later), today=dt.date(2026, 8, 20)) == Standing(
        False, problem="your delegation of tech_lead is not in force on 2026-08-20 "
                       "(2026-08-03 to 2026-08-07; 2026-09-01 to 2026-09-02)")


def test_a_delegation_covers_only_its_role():
    assert ask(role="security_team").allowed is False
    assert ask(role="security_team").problem == (
        "sign-off as security_team needs membership of security_team or a delegation of it "
        "to you")


def test_a_delegation_to_someone_else_gives_the_signer_nothing():
    refused = ask(signer=DAVE)
    assert refused.allowed is False and refused.on_behalf_of is None
    assert refused.problem.startswith("sign-off as tech_lead needs membership")


def test_a_holder_of_the_role_signs_in_their_own_right():
    assert ask(signer=DAVE, holds_role=True, grants=()) == Standing(True)
    assert ask(holds_role=True) == Standing(True)  # their own right comes first


def test_never_on_their_own_request():
    assert ask(requester=BOB) == Standing(
        False, problem="the requester never signs off their own request")
    assert ask(requester=BOB, holds_role=True).problem == (
        "the requester never signs off their own request")


def test_refusals_for_who_asks_are_no_conflicts():
    assert not ask(requester=BOB).conflict and not ask(signer=DAVE).conflict
    assert not ask(today=FRI + dt.timedelta(days=1)).conflict


def test_never_on_the_delegators_own_request():
    assert ask(requester=ANN) == Standing(
        False, problem="your delegator filed this request: signing for them would be "
                       "self-approval by proxy")


@pytest.mark.parametrize("signed", [{BOB}, {BOB, ANN}])
def test_never_twice_on_one_request(signed):
    assert ask(signed=signed) == Standing(False, problem="one sign-off per person per request",
                                          conflict=True)
    assert ask(signed=signed, holds_role=True).problem == "one sign-off per person per request"


def test_never_for_a_delegator_who_signed_the_request_already():
    assert ask(signed={ANN}) == Standing(
        False, problem="your delegator has signed this request already: one sign-off per "
                       "person per request", conflict=True)


def test_with_two_delegators_the_one_who_may_still_sign_is_chosen():
    other = Grant(delegator=DAVE, delegate=BOB, role="tech_lead", starts=MON, ends=FRI)
    assert ask(grants=(other, HOLIDAY)) == Standing(True, on_behalf_of=ANN)  # lowest id
    assert ask(grants=(other, HOLIDAY), requester=ANN) == Standing(True, on_behalf_of=DAVE)
    assert ask(grants=(HOLIDAY, other), signed={ANN}) == Standing(True, on_behalf_of=DAVE)
    assert not ask(grants=(HOLIDAY, other), requester=ANN, signed={DAVE}).allowed


def test_a_grant_is_in_force_on_its_first_and_last_day_only():
    assert HOLIDAY.in_force(MON) and HOLIDAY.in_force(FRI)
    assert not HOLIDAY.in_force(MON - dt.timedelta(days=1))
    assert not HOLIDAY.in_force(FRI + dt.timedelta(days=1))


# ─── a new delegation ────────────────────────────────────────────────────────────────

TODAY = dt.date(2026, 7, 30)


def problems(**changes):
    given = {"delegator": ANN, "delegate": BOB, "role": "tech_lead", "starts": MON,
             "ends": FRI, "today": TODAY, "delegator_roles": {"tech_lead"},
             "delegate_roles": set(), "delegate_active": True, "existing": ()}
    return delegation_problems(**{**given, **changes})


def test_a_good_delegation_has_no_problems():
    assert problems() == {}
    assert problems(starts=TODAY, ends=TODAY) == {}  # one day, from today


def test_a_delegation_to_oneself_is_refused():
    assert problems(delegate=ANN) == {
        "delegate": "you cannot delegate to yourself: name a colleague"}


@pytest.mark.parametrize(("delegate", "active"), [(None, True), (BOB, False)])
def test_the_delegate_is_an_active_colleague(delegate, active):
    assert problems(delegate=delegate, delegate_active=active) == {
        "delegate": "name an active colleague by username"}


def test_the_delegate_may_not_hold_the_role_already():
    assert problems(delegate_roles={"tech_lead"}) == {
        "delegate": "they hold tech_lead already and sign in it in their own right: name "
                    "someone who does not"}
    assert problems(delegate_roles={"security_team"}) == {}


def test_only_a_held_signing_role_is_delegated():
    assert problems(role="security_team") == {
        "role": "you can delegate only a role you hold, and you do not hold security_team"}
    assert problems(role="platform_team", delegator_roles={"platform_team"}) == {
        "role": "choose one of tech_lead, security_team, engineering_director"}


def test_a_backwards_range_is_refused():
    assert problems(starts=FRI, ends=MON) == {
        "ends": "the last day comes before the first: the range runs backwards"}


def test_a_range_starting_in_the_past_is_refused():
    assert problems(starts=TODAY - dt.timedelta(days=1)) == {
        "starts": "the first day cannot be in the past (today is 2026-07-30)"}


def test_missing_days_are_named():
    assert problems(starts=None, ends=None) == {
        "starts": "give the first day, as YYYY-MM-DD", "ends": "give the last day, as YYYY-MM-DD"}
    assert problems(ends=None) == {"ends": "give the last day, as YYYY-MM-DD"}


def test_a_delegation_lasts_at_most_the_maximum():
    assert problems(ends=MON + dt.timedelta(days=MAX_DAYS - 1)) == {}
    assert problems(ends=MON + dt.timedelta(days=MAX_DAYS)) == {
        "ends": f"a delegation lasts at most {MAX_DAYS} days ({MAX_DAYS + 1} asked): a longer "
                "absence is a change of roles"}


@pytest.mark.parametrize(("starts", "ends"), [
    (dt.date(2026, 8, 7), dt.date(2026, 8, 10)),   # its last day
    (dt.date(2026, 8, 1), dt.date(2026, 8, 3)),    # its first day
    (dt.date(2026, 8, 4), dt.date(2026, 8, 5)),    # inside it
    (dt.date(2026, 8, 1), dt.date(2026, 8, 10)),   # around it
])
def test_overlapping_ranges_of_one_role_are_refused(starts, ends):
    other = Grant(ANN, CAROL, "tech_lead", MON, FRI)
    assert problems(starts=starts, ends=ends, existing=(other,)) == {
        "starts": "these days overlap your delegation of tech_lead from 2026-08-03 to "
                  "2026-08-07: end that one first or choose other days"}


@pytest.mark.parametrize("other", [
    Grant(ANN, CAROL, "tech_lead", dt.date(2026, 8, 8), dt.date(2026, 8, 9)),   # the day after
    Grant(ANN, CAROL, "tech_lead", dt.date(2026, 8, 1), dt.date(2026, 8, 2)),   # the day before
    Grant(ANN, CAROL, "tech_lead", MON, FRI, ended=True),                      # ended early
    Grant(ANN, CAROL, "security_team", MON, FRI),                              # another role
    Grant(DAVE, CAROL, "tech_lead", MON, FRI),                                 # another person
])
def test_ranges_that_do_not_clash_are_accepted(other):
    assert problems(existing=(other,)) == {}


def test_the_overlap_is_checked_only_once_the_fields_are_good():
    other = Grant(ANN, CAROL, "tech_lead", MON, FRI)
    assert problems(delegate=ANN, existing=(other,)) == {
        "delegate": "you cannot delegate to yourself: name a colleague"}
