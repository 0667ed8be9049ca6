"""The shape of a Claude Code server config (governance.policy.configs): each problem is
reported on the field it concerns."""

from governance.policy import characters, configs, secrets, versions


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


URL_WITH_KEY = "https://mcp.example.com/mcp?api_key=9f8e7d6c5b4a"
ZWSP = "\u200b"


def test_a_config_that_is_not_an_object_is_refused_whole():
    assert configs.config_problems("npx -y @x/y@1.0.0") == {
        "config": ["must be an object with command/args/env or type/url/headers"]}


def test_a_clean_remote_config_passes():
    assert configs.config_problems({"type": "http", "url": "https://mcp.example.com/mcp",
                                    "headers": {"Authorization": "Bearer ${TOKEN}"}}) == {}
    assert configs.config_problems({"type": "sse", "url": "https://mcp.example.com/sse"}) == {}


def test_a_remote_config_reports_each_field():
    # ?api_key= in a remote URL is a secret in the allowlist.
    assert configs.config_problems({"url": URL_WITH_KEY, "headers": "x", "cwd": "/"}) == {
        "config.type": ["a remote server needs type http or sse: without it Claude Code reads "
                        "the entry as stdio"],
        "config.cwd": ["unknown key for a remote server; allowed: ['headers', 'type', 'url']"],
        "config.url": [secrets.secret_problem(URL_WITH_KEY, "url")],
        "config.headers": ["must be an object of NAME: value strings"],
    }
    assert "api_key" in configs.config_problems({"type": "http", "url": URL_WITH_KEY})[
        "config.url"][0]


def test_a_token_in_a_remote_url_is_named_after_the_url():
    url = "https://mcp.example.com/ghp_" + "a1B2" * 9
    assert configs.config_problems({"type": "http", "url": url})["config.url"] == [
        "looks like a GitHub token: secrets never enter the portal, use a placeholder such as "
        "${URL} and load it at runtime"]


def test_a_config_with_a_command_is_stdio_even_with_a_url():
    assert configs.config_problems({"command": "server", "url": "https://x.example"}) == {
        "config.url": ["unknown key for a stdio server; allowed: "
                       "['args', 'command', 'env', 'type']"]}
    assert configs.config_problems({}) == {
        "config.command": ["a stdio server needs a command, e.g. npx"]}


def test_a_clean_stdio_config_passes_with_or_without_type_and_args():
    assert configs.config_problems({"command": "server"}) == {}
    assert configs.config_problems({"type": "stdio", "command": "npx",
                                    "args": ["-y", "@x/y@1.0.0"], "env": {"A": "b"}}) == {}
    # The package is checked against the runner's registry when none is given.
    assert configs.config_problems({"command": "npx", "args": ["-y", "@x/y@1.0.0"]},
                                   version="1.0.0", package="@x/y") == {}


def test_a_stdio_config_reports_each_field_and_each_entry():
    config = {"type": "docker", "command": "npx", "args": ["-y", f"@x/y{ZWSP}@1.0.0"],
              "env": {"A": 1, "B": 2, f"C{ZWSP}": "x", f"D{ZWSP}": "y"}}
    assert configs.config_problems(config) == {
        "config.type": ["unknown type 'docker': use stdio, http or sse"],
        "config.args": [f"argument 2 {characters.character_problem(f'@x/y{ZWSP}@1.0.0')}"],
        "config.env.A": ["must be a string"],
        "config.env.B": ["must be a string"],
        "config.env": [f"the name {name!r} {characters.character_problem(name)}"
                       for name in (f"C{ZWSP}", f"D{ZWSP}")],
    }
    assert configs.config_problems({"command": "x", "args": ["a", 1]}) == {
        "config.args": ["args must be a list of strings"]}


def test_the_args_must_pin_the_version_of_the_named_package():
    args = ["-y", "my-mcp@0.9.0"]
    assert configs.config_problems({"command": "npx", "args": args}, version="1.0.0",
                                   package="my-mcp") == {
        "config.args": versions.args_pin_problems(args, "1.0.0", "my-mcp")}


def test_the_package_is_checked_only_once_the_config_itself_is_sound():
    config = {"command": "npx", "args": ["-y", "@evil/y@1.0.0"], "env": {"A": 1}}
    assert configs.config_problems(config, version="1.0.0", package="@x/y",
                                   package_registry="npm") == {
        "config.env.A": ["must be a string"]}


def test_the_registry_the_request_names_is_the_one_checked():
    config = {"command": "npx", "args": ["-y", "@x/y@1.0.0"]}
    assert configs.config_problems(config, version="1.0.0", package="@x/y",
                                   package_registry="pypi") == {
        "config.command": ["@x/y is a PyPI package, but `npx` fetches from npm: run it with uvx"]}
