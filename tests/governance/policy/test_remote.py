"""SPEC §4 rule 11 (governance.policy.remote): a remote URL is one concrete https endpoint,
without patterns; its origin identifies the server. Each rule has a string it must catch
and a near miss it must let through."""

import pytest

from governance.policy import configs, remote


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


RULE = "give one concrete endpoint such as https://mcp.example.com/mcp"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://*.example.com/mcp",
         "'*' is a wildcard where clients match serverUrl (managed-settings.json): a denied "
         "pattern would block approved servers and an approved one would allow any server; "
         f"no patterns, {RULE}"),
        ("https://${HOST}/mcp",
         "a placeholder makes the URL differ from machine to machine, so the allowlist could "
         f"not pin it: {RULE}, and pass per-user values in headers"),
        ("http://mcp.example.com/mcp",
         "plain http:// would send the headers (tokens) in clear: a remote server needs an "
         "https:// URL"),
        ("HTTP://mcp.example.com/mcp",
         "plain http:// would send the headers (tokens) in clear: a remote server needs an "
         "https:// URL"),
        ("ftp://mcp.example.com/mcp", f"a remote server needs an https:// URL: {RULE}"),
        ("https://mcp.example.com/mcp#", f"a fragment (#…) is never sent to the server: {RULE}"),
        ("https://user@mcp.example.com/mcp",
         "the URL has user info before the host (user@ or user:password@), which can disguise "
         "the host it reaches: give the host alone, and credentials as a ${VAR} placeholder in "
         "a header"),
        ("https://exаmple.com/mcp",
         "'exаmple.com' is not an ASCII host name: write an internationalised name in its "
         "xn-- form, so that look-alike letters cannot pass for another host"),
        ("https://mcp..example.com/mcp",
         "'mcp..example.com' is not a valid host name: letters, digits and dashes in "
         "dot-separated labels (no empty label, no trailing dot)"),
        ("https://mcp.example.com:0/mcp",
         "'0' is not a port: give a number from 1 to 65535, or none"),
        ("https://mcp.example.com:65536/mcp",
         "'65536' is not a port: give a number from 1 to 65535, or none"),
        ("https://[::g]/mcp", f"the host is not a valid IPv6 address in brackets: {RULE}"),
    ],
)
def test_a_refused_url_says_why_and_what_to_give(url, message):
    assert remote.remote_url_problem(url) == message


LABEL = "a" * 63


@pytest.mark.parametrize(
    "url",
    [
        "https://mcp.example.com:1/mcp", "https://mcp.example.com:65535/mcp",
        "https://[::1]/mcp", "https://[2001:db8:0:0:0:0:0:1]/mcp",
        "https://mcp.example.com/login?next=https://mcp.example.com/home",
        f"https://{LABEL}.{LABEL}.{LABEL}.{'a' * 61}/mcp",  # a host of 253 characters
    ],
)
def test_urls_at_the_edge_of_a_rule_pass(url):
    assert remote.remote_url_problem(url) is None


def test_a_host_over_253_characters_is_refused():
    host = f"{LABEL}.{LABEL}.{LABEL}.{'a' * 62}"
    assert remote.remote_url_problem(f"https://{host}/mcp") == (
        f"'{host}' is not a valid host name: letters, digits and dashes in dot-separated "
        "labels (no empty label, no trailing dot)")
