"""SPEC §4 rules 1 and 4 (governance.policy.versions): an exact version pin, the same
version in the arguments that run the server, and a bump classified patch, minor or major."""

import pytest

from governance.policy import versions


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
