"""The names a request gives (governance.policy.names): server name, source, package and
the choices of a closed list."""

import pytest

from governance.policy import names


@pytest.mark.parametrize("name", ["My Server", "Context7", "", "-lead", "a" * 65])
def test_bad_server_names_are_refused(name):
    assert names.name_problem(name) is not None



@pytest.mark.parametrize("source", ["http://github.com/x", "github.com/x", "ftp://x.y", ""])
def test_sources_must_be_https_or_internal(source):
    assert names.source_problem(source) is not None
    assert names.source_problem("internal") is None
    assert names.source_problem("https://github.com/x/y") is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "a name is required"),
        (None, "a name is required"),
        (7, "a name is required"),
        ("My Server", "'My Server' is not a valid server name: use 1 to 64 lower-case letters, "
                      "digits, dots, dashes or underscores, starting with a letter or digit "
                      "(no spaces)"),
        ("context7", None),
        ("a" * 64, None),
    ],
)
def test_a_server_name_problem_says_the_rule(name, problem):
    assert names.name_problem(name) == problem


def test_a_choice_outside_the_closed_list_names_the_choices():
    assert names.choice_problem("HIGH", ("LOW", "MEDIUM", "HIGH"), "risk") is None
    assert names.choice_problem("EXTREME", ("LOW", "MEDIUM", "HIGH"), "risk") == (
        "unknown risk 'EXTREME': use one of LOW, MEDIUM, HIGH")


@pytest.mark.parametrize(
    ("package", "problem"),
    [
        ("", None),
        (None, None),
        ("@context7/mcp-server", None),
        (12, "must be a package name"),
        ("@x/a b", "'@x/a b' has a space: a package name is one word, e.g. @scope/pkg"),
        (" @x/y", "' @x/y' has a space: a package name is one word, e.g. @scope/pkg"),
    ],
)
def test_a_package_is_one_word(package, problem):
    assert names.package_problem(package) == problem


# ─── the organisation's namespace in the MCP Registry API ───────────────────────────


@pytest.mark.parametrize("namespace", ["com.acme", "io.github.user-name", "a.b", "com.a1.b2",
                                       "a." * 49 + "bc"])
def test_reverse_dns_namespaces_are_accepted(namespace):
    assert names.namespace_problem(namespace) is None


@pytest.mark.parametrize("namespace", [
    "acme", "com.acme/x", "Com.Acme", "com..acme", "", ".com.acme", "com.acme.", "com.-acme",
    "com.acme-", "com.ac_me", "com acme", None, 123, "a." * 50 + "b", "com.acme\n"])
def test_namespaces_that_are_not_reverse_dns_are_refused_with_the_rule(namespace):
    problem = names.namespace_problem(namespace)

    assert problem == f"'{namespace}' is not a namespace: use {names.NAMESPACE_RULE}"
    assert "reverse-DNS name of two or more dot-separated parts" in problem
