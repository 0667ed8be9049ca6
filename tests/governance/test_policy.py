"""The policy as pure functions: no database."""

import datetime as dt

import pytest

from governance.policy import configs, names, routing, secrets, validity, versions

POLICY = routing.PolicyData()


@pytest.mark.parametrize(
    "version", ["1.2.3", "0.6.2", "2.1.0-rc.1", "2024.10.1", "1.2.3.4", "1.0.0+build.5",
                "sha256:" + "a" * 64],
)
def test_exact_pins_are_accepted(version):
    assert versions.version_problem(version) is None


@pytest.mark.parametrize(
    ("version", "words"),
    [
        ("latest", "moving tag"),
        ("", "required"),
        (None, "required"),
        ("^1.2.3", "range"),
        ("~1.2", "range"),
        (">=1.0", "range"),
        ("1.x", "wildcard"),
        ("*", "range"),
        ("main", "moving tag"),
        ("1.2.3 || 2.0.0", "range"),
        ("v1.2.3", "branch or tag"),
        ("release-candidate", "branch or tag"),
        ("1.2", "release line"),
        ("sha256:abc", "64"),
    ],
)
def test_unpinned_versions_are_refused_with_the_reason(version, words):
    problem = versions.version_problem(version)
    assert problem is not None
    assert words in problem


@pytest.mark.parametrize(
    ("args", "version", "package"),
    [
        (["-y", "@context7/mcp-server@1.2.4"], "1.2.3", "@context7/mcp-server"),
        (["-y", "@context7/mcp-server@latest"], "1.2.3", "@context7/mcp-server"),
        (["-y", "@company/db-mcp@2.0.0"], "2.1.0", ""),
        (["mcp-server-fetch==0.9.0"], "1.0.0", "mcp-server-fetch"),
        (["run", "ghcr.io/acme/mcp:1.0.0@sha256:" + "b" * 64], "sha256:" + "c" * 64, ""),
        (["-y", "@context7/mcp-server"], "1.2.3", "@context7/mcp-server"),
        (["some-mcp@latest"], "1.2.3", ""),
        (["mcp-server-fetch"], "1.0.0", "mcp-server-fetch"),
        (["run", "-i", "ghcr.io/acme/mcp"], "1.0.0", "ghcr.io/acme/mcp"),
        (["run", "-i", "ghcr.io/acme/mcp:latest"], "1.0.0", "ghcr.io/acme/mcp"),
    ],
)
def test_args_that_do_not_run_the_pinned_version_are_refused(args, version, package):
    problems = versions.args_pin_problems(args, version, package)
    assert problems and ("must be the same" in problems[0] or "newest" in problems[0])


@pytest.mark.parametrize(
    ("args", "version", "package"),
    [
        (["-y", "@context7/mcp-server@1.2.3"], "1.2.3", "@context7/mcp-server"),
        (["mcp-server-fetch==1.0.0"], "1.0.0", "mcp-server-fetch"),
        (["run", "ghcr.io/acme/mcp:1.0.0@sha256:" + "b" * 64], "sha256:" + "b" * 64, ""),
        (["--host", "git@github.com"], "1.0.0", "@x/y"),
        (["server.py"], "1.0.0", ""),
        (["/opt/tools/db-mcp", "--readonly"], "2.1.0", "@company/db-mcp"),
    ],
)
def test_args_with_the_pinned_version_or_no_version_pass(args, version, package):
    assert versions.args_pin_problems(args, version, package) == []


@pytest.mark.parametrize(
    ("old", "new", "level"),
    [
        ("1.2.3", "1.2.4", "patch"),
        ("1.2.3", "1.3.0", "minor"),
        ("1.2.3", "2.0.0", "major"),
        ("0.6.2", "0.6.10", "patch"),
        ("2024.10.1", "2024.11.0", "minor"),
        ("1.2.3", "1.2.2", "major"),  # downgrade
        ("1.2.3", "1.2.4-rc.1", "major"),  # pre-release
        ("1.2.3", "sha256:" + "a" * 64, "major"),  # cannot be classified
        ("1.2.3", "1.2.3", "major"),
    ],
)
def test_bump_classification_falls_back_to_major(old, new, level):
    assert versions.classify_bump(old, new).level == level


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
    ("name", "value", "words"),
    [
        ("GITHUB_TOKEN", "ghp_" + "A1b2C3d4E5" * 3 + "abcdef", "GitHub token"),
        ("AWS_KEY_ID", "AKIA" + "ABCDEFGHIJKLMNOP", "AWS access key"),
        ("KEY", "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----",
         "private key"),
        ("OPAQUE", "q8Zr2LmX9vT4kWp7Nc3Hs6Jd1Fy5Gb0Ae8Ru2Qo9", "random key"),
        ("DB_PASS", "hunter2", "names a secret"),
        ("Authorization", "Bearer abcdefghijklmnop", "literal credential"),
        ("DSN", "postgres://app:s3cret@db.internal/app", "password inside a URL"),
        ("URL", "https://mcp.example.com/mcp?api_key=9f8e7d6c5b4a", "query parameter api_key"),
        ("Api-Key", "hunter2hunter2", "names a secret"),
        ("Authorization", "token abcdefghij", "literal credential"),
    ],
)
def test_values_that_look_like_credentials_are_refused_with_a_placeholder_hint(name, value,
                                                                                words):
    problem = secrets.secret_problem(value, name)
    assert problem is not None and words in problem
    assert "${" in problem


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DB_HOST", "readonly-replica.internal"),
        ("DB_USER", "claude_readonly"),
        ("DB_PASS", "${DB_PASS}"),
        ("Authorization", "Bearer ${GITHUB_TOKEN}"),
        ("TENANT", "123e4567-e89b-12d3-a456-426614174000"),
        ("LOG_LEVEL", "debug"),
        ("BASE_URL", "https://api.example.com/v1/resources"),
        ("BASE_URL", "https://api.example.com/v1?region=eu-west-1&limit=100"),
        ("Authorization", "Token ${PORTAL_TOKEN}"),
    ],
)
def test_plain_settings_and_placeholders_pass(name, value):
    assert secrets.secret_problem(value, name) is None


def test_a_remote_config_without_type_is_refused():
    problems = configs.config_problems({"url": "https://mcp.example.com/mcp"})
    assert "read" in problems["config.type"][0] and "stdio" in problems["config.type"][0]


def test_a_remote_config_needs_https_and_clean_headers():
    problems = configs.config_problems({
        "type": "http", "url": "http://mcp.example.com",
        "headers": {"Authorization": "Bearer " + "x9" * 20}})
    assert "config.url" in problems
    assert "config.headers.Authorization" in problems


def test_a_stdio_config_names_each_bad_field():
    problems = configs.config_problems(
        {"command": "", "args": "not-a-list", "env": {"TOKEN": "abc123def456"}, "cwd": "/"})
    assert set(problems) == {"config.command", "config.args", "config.env.TOKEN", "config.cwd"}


@pytest.mark.parametrize("name", ["My Server", "Context7", "", "-lead", "a" * 65])
def test_bad_server_names_are_refused(name):
    assert names.name_problem(name) is not None


@pytest.mark.parametrize("source", ["http://github.com/x", "github.com/x", "ftp://x.y", ""])
def test_sources_must_be_https_or_internal(source):
    assert names.source_problem(source) is not None
    assert names.source_problem("internal") is None
    assert names.source_problem("https://github.com/x/y") is None


def test_turnarounds_parse_in_the_templates_words():
    assert routing.parse_turnaround("48h") == dt.timedelta(hours=48)
    assert routing.parse_turnaround("1 week") == dt.timedelta(weeks=1)
    assert routing.parse_turnaround("2 weeks") == dt.timedelta(weeks=2)
    assert routing.parse_turnaround("soon") is None


@pytest.mark.parametrize(
    "args",
    [["--api-key=hunter2hunter2"], ["--token", "s3cr3t-value"],
     ["serve", "q8Zr2LmX9vT4kWp7Nc3Hs6Jd1Fy5Gb0Ae8Ru2Qo9"], ["--auth", "ghp_" + "a1B2" * 9]],
)
def test_secrets_passed_as_arguments_are_refused(args):
    problems = configs.config_problems({"command": "server", "args": args})
    assert "placeholder" in problems["config.args"][0]


@pytest.mark.parametrize(
    "args",
    [["-y", "@scope/pkg@1.2.3"], ["--token", "${API_TOKEN}"], ["--commit", "a" * 40],
     ["ghcr.io/acme/mcp@sha256:" + "b" * 64], ["/opt/mcp/server.py", "--port", "8080"],
     ["--config=/etc/mcp/config.json"]],
)
def test_ordinary_arguments_pass(args):
    assert "config.args" not in configs.config_problems({"command": "server", "args": args})
