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
