"""managed-settings.json as the client reads it (SPEC §6.3, §4 rule 11): no entry is a
pattern, and no deny entry is one that Claude Code would apply to a server the allowlist
pins. Pure functions, no database."""

import datetime as dt

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from registry import formats


def approved(name, config):
    return formats.ApprovedEntry(
        name=name, version="1.0.0", source="internal", approved_by="x",
        approved_date=dt.date(2026, 1, 1), expires=dt.date(2026, 7, 1), data_scope="PUBLIC",
        risk="LOW", config=config)


def remote(url, kind="http"):
    return {"type": kind, "url": url}


LINEAR = {"serverUrl": "https://mcp.linear.app/mcp"}


@pytest.mark.parametrize("pattern", [
    "https://*", "https://*/*", "*://mcp.linear.app/*", "https://*.linear.app/mcp",
    "https://mcp.linear.app/*", "https://MCP.LINEAR.APP/mcp", "https://mcp.linear.app:443/mcp",
    "https://mcp.linear.app/mcp",
])
def test_a_url_entry_matches_as_the_client_matches_it(pattern):
    assert formats.client_matches({"serverUrl": pattern}, LINEAR)


@pytest.mark.parametrize("pattern", [
    "https://mcp.linear.app/mcp/", "https://mcp.linear.app/sse", "https://*.linear.app/sse",
    "https://linear.app/mcp", "https://mcp.linear.app:8443/mcp", "http://mcp.linear.app/mcp",
])
def test_a_url_entry_for_another_endpoint_does_not_match(pattern):
    assert not formats.client_matches({"serverUrl": pattern}, LINEAR)


def test_a_command_entry_matches_only_the_exact_argv():
    pinned = {"serverCommand": ["npx", "-y", "@x/y@1.0.0"]}
    assert formats.client_matches({"serverCommand": ["npx", "-y", "@x/y@1.0.0"]}, pinned)
    assert not formats.client_matches({"serverCommand": ["npx", "@x/y@1.0.0"]}, pinned)
    assert not formats.client_matches({"serverCommand": ["npx", "-y", "@x/y@1.0.0", "--ro"]},
                                      pinned)
    assert not formats.client_matches({"serverCommand": ["npx", "-y", "*"]}, pinned)
    assert not formats.client_matches({"serverUrl": "*"}, pinned)


def test_a_legacy_wildcard_denial_never_reaches_the_denylist_as_a_pattern():
    document = formats.managed_settings(
        [approved("linear", remote("https://mcp.linear.app/mcp"))],
        [("catch-all", remote("https://*/*")), ("star", remote("https://*.evil.example/mcp"))])
    assert document["deniedMcpServers"] == [{"serverName": "catch-all"}, {"serverName": "star"}]


def test_a_denied_url_differing_only_in_case_or_port_is_left_out():
    document = formats.managed_settings(
        [approved("linear", remote("https://mcp.linear.app/mcp"))],
        [("copy", remote("https://MCP.linear.app:443/mcp", "sse"))])
    assert document["deniedMcpServers"] == [{"serverName": "copy"}]


def test_a_denied_url_of_another_endpoint_is_denied_by_url():
    document = formats.managed_settings(
        [approved("linear", remote("https://mcp.linear.app/mcp"))],
        [("evil", remote("https://mcp.linear.app.evil.example/mcp"))])
    assert {"serverUrl": "https://mcp.linear.app.evil.example/mcp"} in document[
        "deniedMcpServers"]


def test_a_legacy_wildcard_approval_never_reaches_the_allowlist():
    servers = [approved("any", remote("https://*")),
               approved("linear", remote("https://mcp.linear.app/mcp"))]
    assert formats.managed_settings(servers, [])["allowedMcpServers"] == [LINEAR]
    assert list(formats.managed_mcp(servers)["mcpServers"]) == ["linear"]


def test_a_denied_name_that_an_approved_server_bears_is_not_denied():
    """Names are unique in the catalog, so this takes data from elsewhere (an import, an old
    row); the client would deny the managed server of that name, so the file never says it."""
    document = formats.managed_settings(
        [approved("linear", remote("https://mcp.linear.app/mcp"))],
        [("Linear", remote("https://evil.example/mcp"))])
    assert document["deniedMcpServers"] == [{"serverUrl": "https://evil.example/mcp"}]


hosts = st.sampled_from(["mcp.linear.app", "MCP.linear.app", "*", "*.linear.app",
                         "mcp.linear.app:443", "evil.example", "mcp.linear.app:8443"])
paths = st.sampled_from(["", "/", "/mcp", "/MCP", "/*", "/sse", "/mcp?x=1"])
urls = st.builds(lambda scheme, host, path: f"{scheme}://{host}{path}",
                 st.sampled_from(["https", "http", "*"]), hosts, paths)
configs = st.one_of(
    st.builds(remote, urls, st.sampled_from(["http", "sse"])),
    st.builds(lambda args: {"command": "npx", "args": args},
              st.lists(st.sampled_from(["-y", "@x/y@1.0.0", "@x/z@1.0.0", "*"]), max_size=3)),
)
names = st.sampled_from(["linear", "Linear", "x", "y", "copy", "a.b"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(names, configs), max_size=4),
       st.lists(st.tuples(names, configs), max_size=4))
@example([("linear", remote("https://mcp.linear.app/mcp"))],
         [("catch-all", remote("https://*/*"))])
@example([("linear", remote("https://mcp.linear.app/mcp"))],
         [("copy", remote("https://MCP.linear.app/mcp"))])
def test_no_deny_entry_is_a_pattern_or_applies_to_an_approved_server(allow, deny):
    document = formats.managed_settings([approved(n, c) for n, c in allow], deny)
    pinned = document["allowedMcpServers"]
    for entry in [*pinned, *document["deniedMcpServers"]]:
        assert "*" not in entry.get("serverUrl", "")
    for entry in document["deniedMcpServers"]:
        assert not any(formats.client_matches(entry, p) for p in pinned), (entry, pinned)
    approved_names = {n.lower() for n, c in allow if "*" not in c.get("url", "")}
    denied_names = {e["serverName"].lower() for e in document["deniedMcpServers"]
                    if "serverName" in e}
    assert not approved_names & denied_names
    assert all(formats.CLIENT_SERVER_NAME.match(name) for name in denied_names)


def test_a_denied_name_the_client_would_reject_is_denied_by_its_command_only():
    """A serverName outside [a-zA-Z0-9_-] has made Claude Code skip the whole settings
    file (anthropics/claude-code#23838), allowlist included."""
    document = formats.managed_settings([], [("docs.search", {"command": "npx",
                                                              "args": ["-y", "@x/d@1.0.0"]})])
    assert document["deniedMcpServers"] == [{"serverCommand": ["npx", "-y", "@x/d@1.0.0"]}]


def test_the_allowlist_pins_stdio_by_command_and_remote_by_url():
    stdio = formats.ApprovedEntry(
        name="a", version="1.0.0", source="internal", approved_by="x", approved_date=None,
        expires=None, data_scope="PUBLIC", risk="LOW",
        config={"command": "uvx", "args": ["tool==1.0.0"]})
    remote = formats.ApprovedEntry(
        name="b", version="1.0.0", source="internal", approved_by="x", approved_date=None,
        expires=None, data_scope="PUBLIC", risk="LOW",
        config={"type": "sse", "url": "https://b.example.com/sse"})
    settings_doc = formats.managed_settings([stdio, remote], [("bad", {"command": "evil"})])
    assert settings_doc["allowedMcpServers"] == [
        {"serverCommand": ["uvx", "tool==1.0.0"]}, {"serverUrl": "https://b.example.com/sse"}]
    assert settings_doc["deniedMcpServers"] == [
        {"serverName": "bad"}, {"serverCommand": ["evil"]}]
