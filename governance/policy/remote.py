"""Remote servers (SPEC §4 rule 11): the config types that reach one, and the one
concrete https endpoint its URL must be; the origin that identifies it."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from .characters import character_problem

REMOTE_TYPES = ("http", "sse")
_NETLOC = re.compile(r"^(?P<host>\[[^\]]*\]|[^:\[\]]*)(?::(?P<port>[^:]*))?$")
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
URL_RULE = "give one concrete endpoint such as https://mcp.example.com/mcp"


def remote_url_problem(url) -> str | None:
    """Why `url` is not one concrete https endpoint, or None (SPEC §4 rule 11).

    Clients read `*` in a `serverUrl` entry of managed-settings.json as a wildcard: one
    denied pattern would block approved servers, one approved pattern would allow any. So
    a remote URL is https, a valid host name or IP address, an optional port, a path and
    a query; no `*`, no user info before the host (`https://good.com@evil.com`), no
    placeholder, no fragment, no spaces or backslashes. Plain http is refused: the config's
    headers (tokens, as `${VAR}` placeholders) would travel in clear."""
    if not isinstance(url, str) or not url.strip():
        return f"a remote server needs its URL: {URL_RULE}"
    problem = character_problem(url)
    if problem:
        return problem
    if "*" in url:
        return ("'*' is a wildcard where clients match serverUrl (managed-settings.json): a "
                "denied pattern would block approved servers and an approved one would allow "
                f"any server; no patterns, {URL_RULE}")
    if any(ch.isspace() for ch in url) or "\\" in url:
        return f"a URL has no spaces or backslashes: {URL_RULE}"
    if "${" in url:
        return ("a placeholder makes the URL differ from machine to machine, so the allowlist "
                f"could not pin it: {URL_RULE}, and pass per-user values in headers")
    scheme, _, rest = url.partition("://")
    if scheme.lower() == "http":
        return ("plain http:// would send the headers (tokens) in clear: a remote server "
                "needs an https:// URL")
    if scheme != "https" or not rest:
        return f"a remote server needs an https:// URL: {URL_RULE}"
    try:
        parts = urlsplit(url)
    except ValueError:  # a bracketed host that is no IP address, or an unbalanced bracket
        return f"the host is not a valid IPv6 address in brackets: {URL_RULE}"
    if parts.fragment or url.endswith("#"):
        return f"a fragment (#…) is never sent to the server: {URL_RULE}"
    if "@" in parts.netloc:
        return ("the URL has user info before the host (user@ or user:password@), which can "
                "disguise the host it reaches: give the host alone, and credentials as a "
                "${VAR} placeholder in a header")
    netloc = _NETLOC.match(parts.netloc)
    if not netloc:
        return f"'{parts.netloc}' is not a host and an optional port: {URL_RULE}"
    host = netloc["host"]
    if not host:
        return f"the URL has no host: {URL_RULE}"
    port = netloc["port"]
    if port is not None and not (port.isdigit() and 0 < int(port) < 65536):
        return f"'{port}' is not a port: give a number from 1 to 65535, or none"
    return _host_problem(host)


def _host_problem(host: str) -> str | None:
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
            return None
        except ValueError:
            return f"'{host}' is not an IPv6 address"
    if not host.isascii():
        return (f"'{host}' is not an ASCII host name: write an internationalised name in its "
                "xn-- form, so that look-alike letters cannot pass for another host")
    labels = host.split(".")
    if len(host) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        return (f"'{host}' is not a valid host name: letters, digits and dashes in "
                "dot-separated labels (no empty label, no trailing dot)")
    if all(label.isdigit() for label in labels):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return f"'{host}' is not a valid IPv4 address"
    return None


def url_origin(url: str) -> str:
    """The origin of a concrete URL: scheme, host (lower case) and port (443 unless given)."""
    parts = urlsplit(url)
    host = _NETLOC.match(parts.netloc)["host"].lower()
    return f"{parts.scheme.lower()}://{host}:{parts.port or 443}"
