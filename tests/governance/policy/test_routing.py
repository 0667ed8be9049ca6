"""SPEC §4 rules 2, 3, 4 and 6 (governance.policy.routing): who signs off, by when, with
what evidence, and which data scopes are denied at submission."""

import datetime as dt

import pytest

from governance.policy import routing

POLICY = routing.PolicyData()



def test_new_server_route_is_tech_lead_and_security_one_week():
    route = routing.route_for(kind="new_server", bump_level=None, risk="LOW",
                             data_scope="INTERNAL", policy=POLICY)
    assert route.required_roles == ("tech_lead", "security_team")
    assert route.turnaround == dt.timedelta(weeks=1)



@pytest.mark.parametrize(("risk", "scope"), [("HIGH", "INTERNAL"), ("LOW", "CONFIDENTIAL")])
def test_high_risk_or_confidential_adds_the_director(risk, scope):
    route = routing.route_for(kind="renewal", bump_level=None, risk=risk, data_scope=scope,
                             policy=POLICY)
    assert route.required_roles == ("tech_lead", "security_team", "engineering_director")



@pytest.mark.parametrize(
    ("level", "roles", "turnaround", "evidence"),
    [
        ("patch", ("tech_lead",), dt.timedelta(hours=48), ("check_release_notes",)),
        ("minor", ("security_team",), dt.timedelta(weeks=1), ("full_security_review",)),
        ("major", ("security_team", "engineering_director"), dt.timedelta(weeks=2),
         ("full_security_review", "sandbox_trial")),
    ],
)
def test_version_bumps_follow_the_bump_policy(level, roles, turnaround, evidence):
    route = routing.route_for(kind="version_bump", bump_level=level, risk="LOW",
                             data_scope="PUBLIC", policy=POLICY)
    assert (route.required_roles, route.turnaround, route.evidence) == (
        roles, turnaround, evidence)



def test_confidential_bump_adds_the_director_on_top_of_the_bump_route():
    route = routing.route_for(kind="version_bump", bump_level="patch", risk="LOW",
                             data_scope="CONFIDENTIAL", policy=POLICY)
    assert route.required_roles == ("tech_lead", "engineering_director")



def test_restricted_scope_is_denied_with_the_policy_reason():
    assert "RESTRICTED" in routing.auto_denial_reason("RESTRICTED", POLICY)
    assert routing.auto_denial_reason("CONFIDENTIAL", POLICY) is None



def test_turnarounds_parse_in_the_templates_words():
    assert routing.parse_turnaround("48h") == dt.timedelta(hours=48)
    assert routing.parse_turnaround("1 week") == dt.timedelta(weeks=1)
    assert routing.parse_turnaround("2 weeks") == dt.timedelta(weeks=2)
    assert routing.parse_turnaround("soon") is None
