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
