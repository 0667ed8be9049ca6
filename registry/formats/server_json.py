"""The MCP Registry API's documents (version 0.1, the official OpenAPI document
`2025-12-01`), built from approvals: pure functions, no database.

An approval becomes a `ServerResponse`: its `server` is a `ServerDetail` (what a publisher's
`server.json` holds: a reverse-DNS name in the organisation's namespace, the exact pinned
package or the remote URL, arguments and environment variables as inputs) and its `_meta`
the registry's own `io.modelcontextprotocol.registry/official` block (status, dates,
isLatest). Placeholders such as `${GITHUB_TOKEN}` become inputs marked `isSecret` that the
client asks the user for; no value the portal serves is a secret (the portal never stores
one, SPEC §4 rule 8, and a value that looks like one is left out all the same)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from governance.policy.secrets import PLACEHOLDER, secret_problem
from governance.policy.versions import pinned_in_args

OFFICIAL = "io.modelcontextprotocol.registry/official"
DESCRIPTION_MAX = 100

# The API's lifecycle words for the portal's approval statuses.
ACTIVE, DEPRECATED, DELETED = "active", "deprecated", "deleted"

# Stored remote `type` -> the API's transport type.
REMOTE_TYPES = {"http": "streamable-http", "sse": "sse"}
KNOWN_HOSTS = {"github.com": "github", "gitlab.com": "gitlab", "bitbucket.org": "bitbucket"}


@dataclass(frozen=True)
class ServedVersion:
    """One approval as the Registry API shows it."""

    server: str
    version: str
    source: str
    package_registry: str
    package: str
    config: dict
    data_scope: str
    expires: dt.date
    status: str  # active / deprecated / deleted
    status_message: str
    published_at: dt.datetime
    updated_at: dt.datetime
    status_changed_at: dt.datetime | None
    is_latest: bool


def rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def full_name(namespace: str, server: str) -> str:
    return f"{namespace}/{server}"


def _placeholder_input(name: str, default: str | None) -> dict:
    described = {"description": f"Set {name}: the approved configuration loads it at runtime.",
                 "isRequired": default is None, "isSecret": True}
    if default is not None:
        described["default"] = default
    return described


def input_for(value, name: str = "") -> dict:
    """The spec's `Input` fields for one configured value: a literal stays a `value`; a
    value that is one placeholder is left to the user (`isRequired`, `isSecret`); a value
    with placeholders inside keeps its text with `{VAR}` in their place and the variables
    described, as the spec's `InputWithVariables` does."""
    value = "" if value is None else str(value)
    placeholders = list(PLACEHOLDER.finditer(value))
    if not placeholders:
        if secret_problem(value, name):
            return {"isRequired": True, "isSecret": True}
        return {"value": value}

    def parts(match):
        var, _, default = match.group(0)[2:-1].partition(":-")
        return var, (default if ":-" in match.group(0) else None)

    if len(placeholders) == 1 and placeholders[0].group(0) == value:
        var, default = parts(placeholders[0])
        return _placeholder_input(var, default)
    variables = {}
    for match in placeholders:
        var, default = parts(match)
        variables[var] = _placeholder_input(var, default)
    text = PLACEHOLDER.sub(lambda m: "{" + parts(m)[0] + "}", value)
    return {"value": text, "variables": variables}


def key_value_inputs(mapping: dict | None) -> list[dict]:
    return [{"name": str(key), **input_for(value, str(key))}
            for key, value in (mapping or {}).items()]


def argument(arg: str) -> dict:
    """`--flag=value` is a named argument with its value, `--flag` a named one alone, and
    anything else a positional value, in the order the command line has them."""
    if arg.startswith("-") and len(arg) > 1:
        flag, eq, value = arg.partition("=")
        if eq:
            return {"type": "named", "name": flag, **input_for(value, flag.lstrip("-"))}
        return {"type": "named", "name": arg}
    described = input_for(arg)
    if "value" not in described:  # a lone placeholder: the user gives it
        var = PLACEHOLDER.fullmatch(arg)
        described["valueHint"] = var.group(0)[2:-1].partition(":-")[0] if var else "value"
    return {"type": "positional", **described}


def package_entry(v: ServedVersion) -> dict | None:
    """The `Package` of a stdio approval: the registry, the exact identifier and version,
    stdio; the runner's arguments before the package spec (`npx -y`), the package's after."""
    if not (v.package_registry and v.package):
        return None
    command = str(v.config.get("command") or "")
    args = [str(a) for a in v.config.get("args") or []]
    spec_at = next((i for i, arg in enumerate(args)
                    if pinned_in_args([arg], v.package)), None)
    entry = {"registryType": v.package_registry, "identifier": v.package,
             "version": v.version, "transport": {"type": "stdio"}}
    if spec_at is None:
        package_args, runtime_args = args, []
    else:
        runtime_args, package_args = args[:spec_at], args[spec_at + 1:]
        if command:
            entry["runtimeHint"] = command.rsplit("/", 1)[-1]
    if runtime_args:
        entry["runtimeArguments"] = [argument(a) for a in runtime_args]
    if package_args:
        entry["packageArguments"] = [argument(a) for a in package_args]
    env = key_value_inputs(v.config.get("env"))
    if env:
        entry["environmentVariables"] = env
    return entry


def remote_entry(config: dict) -> dict | None:
    kind = REMOTE_TYPES.get(config.get("type"))
    if not kind or not config.get("url"):
        return None
    entry = {"type": kind, "url": str(config["url"])}
    headers = key_value_inputs(config.get("headers"))
    if headers:
        entry["headers"] = headers
    return entry


def repository(source: str) -> dict | None:
    if not source.startswith("https://"):
        return None  # "internal": nothing a client can browse
    host = (urlsplit(source).hostname or "").lower()
    return {"url": source, "source": KNOWN_HOSTS.get(host, host)}


def description(v: ServedVersion, organisation: str) -> str:
    text = (f"Approved by {organisation} for {v.data_scope} data until "
            f"{v.expires.isoformat()}")
    if len(text) > DESCRIPTION_MAX:
        text = f"Approved for {v.data_scope} data until {v.expires.isoformat()}"
    return text[:DESCRIPTION_MAX]


def server_detail(v: ServedVersion, *, namespace: str, organisation: str) -> dict:
    detail = {"name": full_name(namespace, v.server), "title": v.server,
              "description": description(v, organisation), "version": v.version}
    repo = repository(v.source or "")
    if repo:
        detail["repository"] = repo
    if v.config.get("type") in REMOTE_TYPES:
        remote = remote_entry(v.config)
        if remote:
            detail["remotes"] = [remote]
    else:
        package = package_entry(v)
        if package:
            detail["packages"] = [package]
    return detail


def official_meta(v: ServedVersion) -> dict:
    meta = {"status": v.status, "publishedAt": rfc3339(v.published_at),
            "updatedAt": rfc3339(v.updated_at), "isLatest": v.is_latest}
    if v.status_message:
        meta["statusMessage"] = v.status_message[:500]
    if v.status_changed_at:
        meta["statusChangedAt"] = rfc3339(v.status_changed_at)
    return meta


def server_response(v: ServedVersion, *, namespace: str, organisation: str) -> dict:
    return {"server": server_detail(v, namespace=namespace, organisation=organisation),
            "_meta": {OFFICIAL: official_meta(v)}}


def server_list(versions, *, namespace: str, organisation: str,
                next_cursor: str | None) -> dict:
    servers = [server_response(v, namespace=namespace, organisation=organisation)
               for v in versions]
    metadata = {"count": len(servers)}
    if next_cursor:
        metadata["nextCursor"] = next_cursor
    return {"servers": servers, "metadata": metadata}
