"""SPEC §4 rule 8 (governance.policy.secrets): a value, header or argument that looks like a
credential is refused with a placeholder hint; placeholders and plain settings pass."""

import pytest

from governance.policy import configs, secrets


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



@pytest.mark.parametrize(
    "args",
    [["--api-key=hunter2hunter2"], ["--token", "s3cr3t-value"],
     ["serve", "q8Zr2LmX9vT4kWp7Nc3Hs6Jd1Fy5Gb0Ae8Ru2Qo9"], ["--auth", "ghp_" + "a1B2" * 9],
     # an address or a path in the same argument does not hide the token beside it
     ["host@x q8Zr2LmX9vT4kWp7Nc3Hs6Jd1Fy5Gb0Ae8Ru2Qo9"],
     ["/srv/mcp q8Zr2LmX9vT4kWp7Nc3Hs6Jd1Fy5Gb0Ae8Ru2Qo9"]],
)
def test_secrets_passed_as_arguments_are_refused(args):
    problems = configs.config_problems({"command": "server", "args": args})
    assert "placeholder" in problems["config.args"][0]



@pytest.mark.parametrize(
    "args",
    [["-y", "@scope/pkg@1.2.3"], ["--token", "${API_TOKEN}"], ["--commit", "a" * 40],
     ["ghcr.io/acme/mcp@sha256:" + "b" * 64], ["/opt/mcp/server.py", "--port", "8080"],
     ["--config=/etc/mcp/config.json"], ["--allowed-origins", "https://staging.internal"],
     ["notify ops@example.com about /var/log/mcp"]],
)
def test_ordinary_arguments_pass(args):
    assert "config.args" not in configs.config_problems({"command": "server", "args": args})


RANDOM_40 = "q8Zr2LmX9vT4kWp7Nc3Hs6Jd1Fy5Gb0Ae8Ru2Qo9"


def hint(name):
    return f"use a placeholder such as ${{{name}}} and load it at runtime"


# Each known token shape, with a string it must catch and a near miss it must let through.
@pytest.mark.parametrize(
    ("caught", "near_miss", "what"),
    [
        ("ghp_" + "a1B2" * 9, "ghx_" + "a1B2" * 9, "a GitHub token"),
        ("github_pat_" + "A1b2_" * 5, "github_pat_" + "A1b2" * 5, "a GitHub fine-grained token"),
        ("AKIA" + "ABCDEFGH12345678", "AKIA" + "ABCDEFGH1234567", "an AWS access key id"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "-----BEGIN PUBLIC KEY-----", "a private key"),
        ("xoxb-1234567890-abc", "xoxz-1234567890-abc", "a Slack token"),
        ("glpat-" + "a1B2c3D4e5" * 2, "glpat-" + "a1B2c3D4e5", "a GitLab token"),
        ("sk-ant-" + "a1B2c3D4e5" * 2, "sk-" + "a1B2c3D4e5", "an API secret key"),
        ("rk_live_" + "a1B2c3D4" * 2, "rk_test_" + "a1B2c3D4" * 2, "a Stripe live key"),
        ("AIza" + "a1B2c3D4e5f6G7h8i9J0k1L2m3N4o5P6q7R", "AIza" + "a1B2c3D4e5",
         "a Google API key"),
        ("npm_" + "a1B2c3D4e5f6" * 3, "npm_" + "a1B2c3D4e5f6", "an npm token"),
        ("eyJhbGciOiJI.eyJzdWIiOiIx.sig", "eyJhbGciOiJI.cGF5bG9hZA.sig", "a JWT"),
        ("https://bot:pw@git.example.com/x", "https://git.example.com/x@main",
         "a password inside a URL"),
    ],
)
def test_each_known_token_shape_is_caught_and_a_near_miss_is_not(caught, near_miss, what):
    assert secrets.secret_problem(caught) == (
        f"looks like {what}: secrets never enter the portal, {hint('SECRET')}")
    assert secrets.secret_problem(near_miss) is None


@pytest.mark.parametrize(
    ("name", "placeholder"),
    [("x-api-key", "X_API_KEY"), ("Api-Key", "API_KEY"), ("db.pass", "DB_PASS"),
     ("_token_", "TOKEN"), ("box_token", "BOX_TOKEN"), ("--", "SECRET"), ("", "SECRET")],
)
def test_the_hint_names_a_placeholder_after_the_setting(name, placeholder):
    problem = secrets.secret_problem(RANDOM_40, name)
    assert problem is not None and problem.endswith(hint(placeholder))


@pytest.mark.parametrize(
    ("value", "name", "problem"),
    [
        # A random 23-character token: short, but random enough.
        ("k3Jd9Qx2Lm7Pz4Vb8Nc1Rt5", "", "looks like a random key or token (23 characters)"),
        # 32 characters at exactly the long-token threshold (3.5 bits a character).
        ("abcd1234abcd1234wwwwxxxxyyyyzzzz", "", "looks like a random key or token (32 "),
        # A key after an ordinary word in a value.
        (f"region eu {RANDOM_40}", "", "looks like a random key or token (40 characters)"),
        # An 8-character literal after an auth scheme, whatever the header is called.
        ("Bearer abcd1234", "X-Upstream", "carries a literal credential"),
        ("HTTPS://mcp.example.com/mcp?token=hunter2", "url",
         "its query parameter token: token names a secret"),
    ],
)
def test_values_at_the_edge_of_a_rule_are_refused(value, name, problem):
    found = secrets.secret_problem(value, name)
    assert found is not None and found.startswith(problem), found


@pytest.mark.parametrize(
    "value",
    [
        "aaaaaaaaaa1111111111",  # token-shaped but repetitive
        "abcdef123456abcdef123456",  # 24 characters, 3.58 bits a character: under 3.8
        "abcdefghijklmnopqrstuvwx",  # no digit: a word, not a key
        "Bearer abc1234",  # a 7-character word after a scheme
        "https://mcp.example.com/mcp?token=",  # an empty parameter
        12345,
        None,
    ],
)
def test_values_just_short_of_a_rule_pass(value):
    assert secrets.secret_problem(value, "X-Upstream") is None


def test_entropy_is_bits_a_character():
    assert secrets.shannon_entropy("aabb") == 1.0
    assert secrets.shannon_entropy("abcd") == 2.0


@pytest.mark.parametrize(
    ("args", "problems"),
    [
        # A secret argument after a path argument.
        (["/opt/mcp/server.py", "--api-key=hunter2hunter2"],
         ["argument --api-key=hunter…: api-key names a secret but has a literal value: "
          + hint("API_KEY")]),
        (["--X-Api-Key=hunter2hunter2"],
         ["argument --X-Api-Key=hunt…: X-Api-Key names a secret but has a literal value: "
          + hint("X_API_KEY")]),
        (["--port=8080", RANDOM_40],
         [f"argument {RANDOM_40[:16]}…: looks like a random key or token (40 characters): "
          + hint("SECRET")]),
        (["serve", RANDOM_40],
         [f"argument {RANDOM_40[:16]}…: looks like a random key or token (40 characters): "
          + hint("SECRET")]),
        (["https://hooks.example.com/x/ghp_" + "a1B2" * 9],
         ["argument https://hooks.ex…: looks like a GitHub token: secrets never enter the "
          "portal, " + hint("SECRET")]),
    ],
)
def test_secret_arguments_are_reported_each_with_its_placeholder(args, problems):
    assert secrets.args_secret_problems(args) == problems


@pytest.mark.parametrize(
    "args",
    [
        ["--api-key=${API_KEY}", "serve"],  # the flag's value is given: the next is not it
        ["/srv/mcp/A1b2C3d4E5f6G7h8I9j0"],  # a path, however random its name
        ["--commit", "3f2a9c1e7b4d8a0f6e5c2b1a9d8e7f6a5b4c3d2e"],  # a commit hash
        ["sha256:3f2a9c1e7b4d8a0f6e5c2b1a9d8e7f6a5b4c3d2e"],
        ["--verbose", ""],
    ],
)
def test_paths_digests_and_values_given_with_the_flag_are_not_secrets(args):
    assert secrets.args_secret_problems(args) == []
