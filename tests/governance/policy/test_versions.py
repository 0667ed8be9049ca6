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


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("", "a version is required: pin an exact release such as 1.2.3"),
        ("^1.2.3", "'^1.2.3' is a range or has an operator (^ ~ > < = || * or a space): "
                   "pin one exact version such as 1.2.3"),
        ("sha256:ABC", "an OCI digest is sha256: followed by 64 lower-case hex characters"),
        ("1", "'1' names a release line, not a release: give major.minor.patch, such as 1.0.0"),
        ("1.2", "'1.2' names a release line, not a release: give major.minor.patch, "
                "such as 1.2.0"),
    ],
)
def test_a_refused_version_says_what_to_pin_instead(version, message):
    assert versions.version_problem(version) == message


# The examples: each argument runs another release than the 1.0.0 pinned.
@pytest.mark.parametrize(
    ("args", "package"),
    [
        (["run", "-i", "ghcr.io/acme/mcp:0.9.0"], "ghcr.io/acme/mcp"),  # an image tag
        (["-y", "my-mcp@0.9.0"], "my-mcp"),  # an unscoped npm spec of the named package
        (["pkg==0.9.0"], ""),  # a PyPI pin, no package named
        (["@scope/pkg@0.9.0"], ""),  # a scoped npm spec, no package named
        (["run", "ghcr.io/acme/mcp@sha256:" + "d" * 64], ""),  # a digest, no package named
    ],
)
def test_another_release_in_the_args_is_refused_against_the_pin(args, package):
    problems = versions.args_pin_problems(args, "1.0.0", package)
    assert len(problems) == 1 and "but the request pins 1.0.0" in problems[0]


def test_without_a_package_named_only_unambiguous_specs_count_as_pins():
    # `user@host` reads like an unscoped npm spec, and an image tag like a version, but
    # without the package named neither says which release runs.
    assert versions.args_pin_problems(["--to", "ops@example.com"], "1.0.0") == []
    assert versions.args_pin_problems(["ghcr.io/acme/mcp:0.9.0"], "1.0.0") == []
    assert versions.pinned_in_args(["@x/y@0.9.0", "a==1.0.0"]) == [
        ("@x/y@0.9.0", {"0.9.0"}), ("a==1.0.0", {"1.0.0"})]


def test_with_a_package_named_other_packages_in_the_args_are_not_its_pin():
    args = ["--with", "helper==0.9.0", "ghcr.io/acme/sidecar:0.9.0", "mcp-fetch==1.0.0"]
    assert versions.args_pin_problems(args, "1.0.0", "mcp-fetch") == []
    assert versions.args_pin_problems(
        ["run", "ghcr.io/acme/sidecar:0.9.0", "ghcr.io/acme/mcp:1.0.0"], "1.0.0",
        "ghcr.io/acme/mcp") == []


def test_every_argument_with_another_release_is_reported():
    args = ["@a/b@0.9.0", "@c/d@0.8.0", "x==0.7.0", "y==0.6.0", "ghcr.io/e/f@sha256:" + "e" * 64]
    assert [arg for arg, _ in versions.pinned_in_args(args)] == args
    assert len(versions.args_pin_problems(args, "1.0.0")) == 5


def test_an_image_with_a_tag_and_a_digest_names_both_in_the_message():
    digest = "sha256:" + "b" * 64
    [problem] = versions.args_pin_problems([f"ghcr.io/acme/mcp:0.9.0@{digest}"], "1.0.0")
    assert problem == (f"argument 'ghcr.io/acme/mcp:0.9.0@{digest}' runs version 0.9.0 / "
                       f"{digest} but the request pins 1.0.0: they must be the same")


def test_options_and_values_that_are_not_strings_are_never_pins():
    assert versions.pinned_in_args([None, 3, "-y", "--pkg=@x/y@0.9.0"]) == []
    assert versions.unpinned_in_args([None, 3, "-y"], "-y") == []


@pytest.mark.parametrize(
    ("args", "package", "found"),
    [
        (["-y", "@x/y", "@x/y@latest"], "@x/y", ["@x/y", "@x/y@latest"]),
        (["some-mcp@latest", "other@next"], "", ["some-mcp@latest", "other@next"]),
        (["run", "ghcr.io/acme/mcp:latest", "ghcr.io/acme/mcp:Edge"], "ghcr.io/acme/mcp",
         ["ghcr.io/acme/mcp:latest", "ghcr.io/acme/mcp:Edge"]),
        (["run", "ghcr.io/acme/mcp:1.0.0", "ghcr.io/acme/mcp@sha256:" + "a" * 64],
         "ghcr.io/acme/mcp", []),
        (["run", "ghcr.io/other/mcp:latest"], "ghcr.io/acme/mcp", []),
        (["@x/y@1.0.0", "server.py"], "", []),
    ],
)
def test_arguments_that_run_whatever_is_newest_are_found(args, package, found):
    assert versions.unpinned_in_args(args, package) == found


def test_the_unpinned_message_shows_the_pin_to_write():
    [named] = versions.args_pin_problems(["-y", "@x/y"], "1.2.3", "@x/y")
    assert "pin it to 1.2.3 (e.g. @x/y@1.2.3, pkg==1.2.3 or image@sha256:…)" in named
    [unnamed] = versions.args_pin_problems(["some-mcp@latest"], "1.2.3")
    assert "pin it to 1.2.3 (e.g. pkg@1.2.3, pkg==1.2.3 or image@sha256:…)" in unnamed


@pytest.mark.parametrize(
    ("old", "new", "level"),
    [
        ("1", "1.1", "minor"),  # the example: not a patch
        ("1", "1.0.1", "patch"),
        ("1.0", "2", "major"),
        ("2.0.0rc1", "2", "patch"),  # the final release of a pre-release
        ("1.0.0", "1.0.0.1", "patch"),
        ("1!1.0.0", "2!1.0.1", "major"),  # another epoch
    ],
)
def test_short_and_long_versions_are_compared_as_major_minor_patch(old, new, level):
    assert versions.classify_bump(old, new).level == level


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ("1.2.3", "main", "a version that cannot be classified counts as major"),
        ("1.2.3", "1.3.0rc1", "a pre-release counts as major"),
        ("1.2.3", "1.2.3", "the same version is not a bump"),
        ("1.2.3", "1.2.2", "a downgrade counts as major"),
        ("1.2.3", "2.0.0", "1.2.3 → 2.0.0 changes the major version"),
        ("1.2.3", "1.3.0", "1.2.3 → 1.3.0 changes the minor version"),
        ("1.2.3", "1.2.4", "1.2.3 → 1.2.4 changes only the patch level"),
    ],
)
def test_a_bump_classification_says_why(old, new, why):
    assert versions.classify_bump(old, new).why == why


# ─── moving a pin to a newer release (the one-click bump) ───────────────────────────


@pytest.mark.parametrize(("args", "package", "moved"), [
    (["-y", "@acme/docs@1.0.1", "--root=/srv/1.0.1"], "@acme/docs",
     ["-y", "@acme/docs@2.0.0", "--root=/srv/1.0.1"]),
    (["mcp-fetch==1.0.1"], "mcp-fetch", ["mcp-fetch==2.0.0"]),
    (["--from", "mcp-fetch[cli]==1.0.1", "fetch"], "mcp-fetch",
     ["--from", "mcp-fetch[cli]==2.0.0", "fetch"]),
    (["run", "-i", "ghcr.io/acme/docs:1.0.1"], "ghcr.io/acme/docs",
     ["run", "-i", "ghcr.io/acme/docs:2.0.0"]),
    (["-y", "@other/pkg@1.0.1"], "@acme/docs", ["-y", "@other/pkg@1.0.1"]),
    (["@acme/docs@1.0.0"], "@acme/docs", ["@acme/docs@1.0.0"]),
    (["1.0.1", 7], "@acme/docs", ["1.0.1", 7]),
    (None, "@acme/docs", []),
])
def test_repin_moves_only_the_packages_pin_to_the_new_version(args, package, moved):
    assert versions.repin_args(args, package, "1.0.1", "2.0.0") == moved


@pytest.mark.parametrize(("version", "than", "expected"), [
    ("1.2.4", "1.2.4", True),        # the same release: no bump left
    ("1.2.3", "1.2.4", True),        # older: a downgrade
    ("1.3.0", "1.2.4", False),       # still newer
    ("2.0.0", "1.9.9", False),
    ("1.2.4", "1.2.4-rc.1", False),  # a release is newer than its pre-release
    ("1.2.4-rc.1", "1.2.4", True),
    ("sha256:" + "a" * 64, "sha256:" + "a" * 64, True),   # the same digest
    ("sha256:" + "a" * 64, "sha256:" + "b" * 64, False),  # digests do not order
    ("1.2.4", "sha256:" + "b" * 64, False),
])
def test_a_version_is_not_newer_when_it_is_the_same_or_older(version, than, expected):
    assert versions.not_newer(version, than) is expected
