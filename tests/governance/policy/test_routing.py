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


def test_a_route_says_its_basis_and_a_new_server_needs_a_full_security_review():
    def route(kind, risk="LOW", scope="INTERNAL", level=None):
        return routing.route_for(kind=kind, bump_level=level, risk=risk, data_scope=scope,
                                 policy=POLICY)

    assert route("new_server").basis == "new server"
    assert route("new_server").evidence == ("full_security_review",)
    assert route("renewal").basis == "renewal"
    assert route("renewal", risk="HIGH").basis == "renewal, HIGH risk"
    assert route("new_server", risk="HIGH", scope="CONFIDENTIAL").basis == (
        "new server, HIGH risk, CONFIDENTIAL data")
    assert route("version_bump", level="minor", scope="CONFIDENTIAL").basis == (
        "minor version bump, CONFIDENTIAL data")
    # A bump whose level is unknown is routed as major.
    unknown = route("version_bump", level=None)
    assert (unknown.basis, unknown.required_roles) == (
        "major version bump", ("security_team", "engineering_director"))


def test_a_blank_data_scope_adds_no_approver():
    route = routing.route_for(kind="new_server", bump_level=None, risk="LOW", data_scope="",
                              policy=POLICY)
    assert (route.required_roles, route.basis) == (("tech_lead", "security_team"), "new server")


def test_the_new_server_turnaround_comes_from_the_policy_and_defaults_to_a_week():
    three_days = routing.PolicyData(new_server_turnaround="3 days")
    assert routing.route_for(kind="new_server", bump_level=None, risk="LOW",
                             data_scope="PUBLIC", policy=three_days).turnaround == dt.timedelta(
        days=3)
    unreadable = routing.PolicyData(new_server_turnaround="soon")
    assert routing.route_for(kind="renewal", bump_level=None, risk="LOW", data_scope="PUBLIC",
                             policy=unreadable).turnaround == dt.timedelta(weeks=1)


@pytest.mark.parametrize(
    ("text", "turnaround"),
    [("3 days", dt.timedelta(days=3)), ("1 D", dt.timedelta(days=1)),
     ("72 hours", dt.timedelta(hours=72)), (" 2W ", dt.timedelta(weeks=2)),
     ("", None), (None, None), ("3 months", None), ("1.5 weeks", None)],
)
def test_a_turnaround_is_hours_days_or_weeks(text, turnaround):
    assert routing.parse_turnaround(text) == turnaround


def test_evidence_is_described_in_words():
    route = routing.route_for(kind="version_bump", bump_level="major", risk="LOW",
                              data_scope="PUBLIC", policy=POLICY)
    assert route.describe_evidence() == [routing.EVIDENCE_TEXT["full_security_review"],
                                         routing.EVIDENCE_TEXT["sandbox_trial"]]


@pytest.mark.parametrize(
    ("text", "allow_empty", "problem"),
    [
        ("tech_lead + security_team", False, None),
        (" engineering_director ", False, None),
        ("", True, None),
        (None, True, None),
        ("", False, "name at least one role, e.g. tech_lead + security_team"),
        (" + ", False, "name at least one role, e.g. tech_lead + security_team"),
        ("tech_lead + cto + ciso", False,
         "unknown role cto, ciso: use tech_lead, security_team, engineering_director"),
        # platform_team is a role, but it does not sign off requests.
        ("platform_team", True,
         "unknown role platform_team: use tech_lead, security_team, engineering_director"),
    ],
)
def test_a_role_list_names_signing_roles_only(text, allow_empty, problem):
    assert routing.role_list_problem(text, allow_empty=allow_empty) == problem


def test_a_role_list_is_required_unless_allowed_empty():
    assert routing.role_list_problem("") is not None
    assert routing.split_plus(None) == [] and routing.split_plus("") == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("check_release_notes + sandbox_trial", None),
        ("", None),
        ("vibes + check_release_notes + magic",
         "unknown evidence vibes, magic: use check_release_notes, full_security_review, "
         "sandbox_trial"),
    ],
)
def test_evidence_names_known_words_only(text, problem):
    assert routing.evidence_problem(text) == problem


@pytest.mark.parametrize(
    ("scopes", "strictest"),
    [(("PUBLIC", "CONFIDENTIAL", "INTERNAL"), "CONFIDENTIAL"), (("", "RESTRICTED"), "RESTRICTED"),
     (("INTERNAL", "SECRET"), "INTERNAL"), (("", "unknown"), ""), ((), "")],
)
def test_the_stricter_scope_is_the_most_sensitive_known_one(scopes, strictest):
    assert routing.stricter_scope(*scopes) == strictest


def test_a_blank_denial_reason_falls_back_to_the_default_and_a_custom_one_is_kept():
    blank = routing.PolicyData(classification={
        "RESTRICTED": routing.ClassificationData("DENIED", "", "")})
    assert routing.auto_denial_reason("RESTRICTED", blank) == routing.DEFAULT_RESTRICTED_REASON
    custom = routing.PolicyData(classification={
        "CONFIDENTIAL": routing.ClassificationData("DENIED", "", "Ask legal first.")})
    assert routing.auto_denial_reason("CONFIDENTIAL", custom) == "Ask legal first."
    assert routing.auto_denial_reason("", POLICY) is None
