"""What a config runs (governance.policy.run_keys): the identity the check API and the
allowlist recognise, the digest an approval is looked up by, and a URL's host."""

import hashlib
import json

import pytest

from governance.policy.run_keys import digest, host_of, identity, lookup_columns

NPX = {"command": "npx", "args": ["-y", "@x/tool@1.2.3"]}


def test_a_stdio_config_is_its_command_and_args():
    assert identity(NPX) == ("cmd", "npx", "-y", "@x/tool@1.2.3")
    assert identity({"command": "uvx"}) == ("cmd", "uvx")
    assert identity({"command": "uvx", "args": None}) == ("cmd", "uvx")


@pytest.mark.parametrize("kind", ["http", "sse"])
def test_a_remote_config_is_its_url_whatever_else_it_says(kind):
    config = {"type": kind, "url": "https://mcp.example.com/mcp", "command": "npx"}
    assert identity(config) == ("url", "https://mcp.example.com/mcp")


@pytest.mark.parametrize("config", [
    None, [], "npx", {}, {"command": ""}, {"command": 3}, {"command": "npx", "args": "-y"},
    {"command": "npx", "args": ["-y", 3]}, {"type": "http"}, {"type": "http", "url": ""},
    {"type": "sse", "url": ["https://a"]},
])
def test_a_config_that_runs_nothing_recognisable_has_no_identity(config):
    assert identity(config) is None


def test_an_unknown_type_falls_back_to_the_command():
    assert identity({"type": "stdio", **NPX}) == ("cmd", "npx", "-y", "@x/tool@1.2.3")


def test_the_digest_is_the_sha256_of_the_identity_as_json():
    key = ("cmd", "npx", "-y", "@x/tool@1.2.3")
    assert digest(key) == hashlib.sha256(json.dumps(list(key)).encode()).hexdigest()
    assert len(digest(key)) == 64
    assert digest(key) != digest(("cmd", "npx", "-y", "@x/tool@1.2.4"))
    # The parts stay apart: "a b" as one argument is not "a", "b".
    assert digest(("cmd", "a b")) != digest(("cmd", "a", "b"))


def test_the_host_of_a_url_is_its_lower_case_netloc():
    assert host_of("https://MCP.Example.com:8443/mcp?x=1") == "mcp.example.com:8443"
    assert host_of("not a url") == ""
    assert host_of("https://[::1/mcp") == ""  # an unclosed IPv6 literal: not a URL


def test_an_approval_stores_the_digest_and_for_a_remote_server_the_host():
    assert lookup_columns(NPX) == (digest(identity(NPX)), "")
    remote = {"type": "http", "url": "https://Mcp.Linear.app/mcp"}
    assert lookup_columns(remote) == (digest(identity(remote)), "mcp.linear.app")
    assert lookup_columns({"type": "http", "url": f"https://{'a' * 300}.com/"})[1] == "a" * 255
    assert lookup_columns({}) == ("", "")
    # A command is never found by host, even one written like a URL.
    assert lookup_columns({"command": "//mcp.example.com/run"})[1] == ""
