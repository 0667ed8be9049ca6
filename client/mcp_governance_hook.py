#!/usr/bin/env python3
"""MCP governance hook for Claude Code: checks MCP servers against the MCP Governance Portal.

Python 3.9 or newer, standard library only. Install (see client/README.md):

    ~/.claude/settings.json (or the managed settings):
    {"hooks": {
      "SessionStart": [{"hooks": [{"type": "command",
                                    "command": "python3 ~/.claude/hooks/mcp_governance_hook.py"}]}],
      "PreToolUse": [{"matcher": "mcp__.*",
                      "hooks": [{"type": "command",
                                 "command": "python3 ~/.claude/hooks/mcp_governance_hook.py"}]}]
    }}

Settings, from the environment or ~/.config/mcp-governance/config.json (same names in
lower case without the prefix: {"portal_url": ..., "token": ..., "fail_mode": ...}):

    MCP_PORTAL_URL        the portal, e.g. https://mcp-portal.company.com
    MCP_PORTAL_TOKEN      your API token (the portal's "API token" page)
    MCP_GOVERNANCE_FAIL   "open" (default) or "closed": what to do when the portal cannot be
                          reached (network error, timeout, 5xx) and the cache has no recent
                          answer for a server
    MCP_GOVERNANCE_CACHE  the cache file (default ~/.cache/mcp-governance/check.json)
    MCP_GOVERNANCE_TTL    seconds a cached answer is used without asking again (default 300)
    MCP_GOVERNANCE_TIMEOUT  seconds to wait for the portal (default 3)
    MCP_GOVERNANCE_MAX_AGE  seconds after which a cached "approved" no longer counts when the
                          portal cannot be reached (default 604800, 7 days)

A setting that is not a number falls back to its default, with a warning.

On SessionStart it reads the MCP configs of this session (~/.claude.json: the user's
servers and this project's; the project's .mcp.json), asks the portal, and tells you (and
Claude) about each server that is not approved, is expired, denied or pinned to another
version. On PreToolUse for a tool mcp__<server>__<tool> it denies the call when that
server is not approved, or when its approval excludes that tool (the server is recognised
by what it runs, so renaming it locally changes nothing), with the reason. Only what a
server runs (command and args, or URL) is sent: env and header values never leave the
machine.

When the portal refuses the check (4xx: a revoked token, a wrong URL, a config it cannot
read), every MCP tool call is denied with what to fix, whatever the fail mode: the fail
mode only covers the portal being unreachable.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import math
import os
import re
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

VERSION = "1.2.0"
PROBLEM_VERDICTS = ("unapproved", "denied", "expired", "version_mismatch")
# Where the platform team deploys managed-mcp.json: the servers in it are the approved set.
MANAGED_MCP = {
    "darwin": "/Library/Application Support/ClaudeCode/managed-mcp.json",
    "win32": r"C:\Program Files\ClaudeCode\managed-mcp.json",
    "": "/etc/claude-code/managed-mcp.json",
}
DEFAULT_TTL = 300.0
DEFAULT_TIMEOUT = 3.0
DEFAULT_MAX_AGE = 7 * 24 * 3600.0
# Answers that say the portal is there but busy: treated like an outage, not a refusal.
TRANSIENT_STATUSES = (408, 429)
CLOCK_SLACK = 300.0  # a cached answer stamped this far in the future is still believed


# ─── settings ───────────────────────────────────────────────────────────────────────


def _config_file(env, home: Path) -> dict:
    config_file = Path(env.get("MCP_GOVERNANCE_CONFIG")
                       or home / ".config" / "mcp-governance" / "config.json")
    document = _read_json(config_file)
    return document if isinstance(document, dict) else {}


def _number(raw, default: float, label: str, warnings: list, positive: bool = False) -> float:
    """A number of seconds; a missing, unreadable or out-of-range value gives the default."""
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except (TypeError, ValueError, OverflowError):
        value = None
    if value is None or not math.isfinite(value) or value < 0 or (positive and value == 0):
        warnings.append(f"{label}={raw!r} is not a {'positive ' if positive else ''}number of "
                        f"seconds; using the default, {default:g}.")
        return default
    return value


def load_settings(env=None) -> dict:
    env = os.environ if env is None else env
    home = Path(env.get("HOME") or Path.home())
    file_settings = _config_file(env, home)
    warnings: list = []

    def get(name, default=""):
        """(value, where it came from) for MCP_GOVERNANCE_<NAME>, MCP_<NAME> or the file."""
        for variable in (f"MCP_GOVERNANCE_{name.upper()}", f"MCP_{name.upper()}"):
            if env.get(variable):
                return env[variable], variable
        value = file_settings.get(name)
        if value is None or value == "":
            return default, name
        return value, f"{name} in the config file"

    def number(name, default, positive=False):
        raw, label = get(name)
        return _number(raw, default, label, warnings, positive)

    fail_raw, fail_label = get("fail", "")
    if fail_raw == "":
        fail_raw, fail_label = get("fail_mode", "open")
    fail_mode = str(fail_raw).strip().lower()
    if fail_mode not in ("open", "closed"):
        warnings.append(f"{fail_label}={fail_raw!r} is neither \"open\" nor \"closed\"; "
                        "using \"open\".")
        fail_mode = "open"
    cache = get("cache")[0] or home / ".cache" / "mcp-governance" / "check.json"
    managed = get("managed_mcp")[0] or MANAGED_MCP.get(sys.platform, MANAGED_MCP[""])
    return {
        "home": home,
        "portal_url": str(env.get("MCP_PORTAL_URL") or file_settings.get("portal_url")
                          or "").rstrip("/"),
        "token": str(env.get("MCP_PORTAL_TOKEN") or file_settings.get("token") or ""),
        "fail_closed": fail_mode == "closed",
        "cache": Path(str(cache)),
        "ttl": number("ttl", DEFAULT_TTL),
        "timeout": number("timeout", DEFAULT_TIMEOUT, positive=True),
        "max_age": number("max_age", DEFAULT_MAX_AGE),
        "claude_config_dir": env.get("CLAUDE_CONFIG_DIR") or "",
        "project_dir": env.get("CLAUDE_PROJECT_DIR") or "",
        "managed_mcp": Path(str(managed)),
        "warnings": warnings,
    }


def fails_closed(env=None) -> bool:
    """The fail mode alone, for when load_settings itself went wrong."""
    try:
        return load_settings(env)["fail_closed"]
    except Exception:  # noqa: BLE001 - the last resort must not raise
        env = os.environ if env is None else env
        return str(env.get("MCP_GOVERNANCE_FAIL") or "").strip().lower() == "closed"


# ─── reading the client's configs ───────────────────────────────────────────────────


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _servers(value) -> dict:
    """Only what identifies a server: type, command, args, url. Never env or headers. An
    entry that is not an object is kept as it is, to be flagged (and never sent)."""
    out = {}
    if not isinstance(value, dict):
        return out
    for name, config in value.items():
        if isinstance(config, dict):
            out[str(name)] = {k: config[k] for k in ("type", "command", "args", "url")
                              if k in config}
        else:
            out[str(name)] = config
    return out


def _json_type(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null"


def config_problem(config) -> str:
    """What is wrong with the types of a server entry, or "" when nothing is."""
    if not isinstance(config, dict):
        return f"the entry is {_json_type(config)}, not an object"
    for key, kind, text in (("type", str, "a string"), ("command", str, "a string"),
                            ("url", str, "a string"), ("args", list, "a list of strings")):
        if key in config and not isinstance(config[key], kind):
            return f'"{key}" must be {text}, not {_json_type(config[key])}'
    if isinstance(config.get("args"), list) and not all(
            isinstance(a, str) for a in config["args"]):
        return '"args" must be a list of strings'
    return ""


def _same_path(a: str, b: str) -> bool:
    return bool(a) and bool(b) and os.path.normpath(a) == os.path.normpath(b)


def gather_configs(settings: dict, cwd: str) -> dict:
    """The servers this session can start: {"mcpServers": user scope, "projects":
    {this project's path (its ~/.claude.json entry) or path/.mcp.json: {"mcpServers": ...}}}.
    Other projects' servers in ~/.claude.json are not read."""
    config_dir = settings["claude_config_dir"]
    claude_json = Path(config_dir) / ".claude.json" if config_dir else (
        settings["home"] / ".claude.json")
    project_dir = str(settings["project_dir"] or cwd or "")
    body = {"mcpServers": {}, "projects": {}}
    document = _read_json(claude_json)
    if isinstance(document, dict):
        body["mcpServers"] = _servers(document.get("mcpServers"))
        projects = document.get("projects")
        if isinstance(projects, dict) and project_dir:
            for path, project in projects.items():
                if (_same_path(str(path), project_dir) and isinstance(project, dict)
                        and _servers(project.get("mcpServers"))):
                    body["projects"][str(path)] = {
                        "mcpServers": _servers(project.get("mcpServers"))}
    if project_dir:
        mcp_json = Path(project_dir) / ".mcp.json"
        document = _read_json(mcp_json)
        if isinstance(document, dict) and _servers(document.get("mcpServers")):
            body["projects"][str(mcp_json)] = {"mcpServers": _servers(document["mcpServers"])}
    return body


def split_malformed(body: dict) -> tuple:
    """(the body without malformed entries, {fingerprint: local verdict} for those): one bad
    entry must not make the portal refuse the whole check, nor pass unchecked."""
    clean = {"mcpServers": {}, "projects": {}}
    local = {}
    for name, config, scope in each_server(body):
        problem = config_problem(config)
        if problem:
            local[fingerprint(name, config)] = {
                "scope": scope, "name": name, "verdict": "unapproved", "request_url": None,
                "reason": f"the entry is malformed: {problem}. Fix it in "
                          f"{where(scope)}; as written it cannot be checked."}
        elif scope == "user":
            clean["mcpServers"][name] = config
        else:
            clean["projects"].setdefault(scope, {"mcpServers": {}})["mcpServers"][name] = config
    return clean, local


def fingerprint(name: str, config) -> str:
    return hashlib.sha256(json.dumps([name, config], sort_keys=True).encode()).hexdigest()


# ─── the portal and the cache ───────────────────────────────────────────────────────


class PortalUnavailable(Exception):
    """The portal cannot be reached (network error, timeout, 5xx): the fail mode applies."""


class PortalRefused(Exception):
    """The portal (or what MCP_PORTAL_URL points to) refused the check: something on this
    machine must be fixed, and until it is no MCP tool call passes."""


def _error_detail(exc: urllib.error.HTTPError) -> str:
    try:
        answer = json.loads(exc.read().decode("utf-8"))
    except Exception:  # noqa: BLE001 - the body of an error is a bonus
        return ""
    if not isinstance(answer, dict):
        return ""
    parts = [str(answer.get("detail") or "")]
    errors = answer.get("errors")
    if isinstance(errors, dict):
        for field, messages in list(errors.items())[:5]:
            if isinstance(messages, list):
                messages = " ".join(map(str, messages))
            parts.append(f"{field}: {messages}")
    return " ".join(p for p in parts if p)[:400]


def _refusal(settings: dict, code: int, detail: str) -> str:
    url = settings["portal_url"]
    said = f" ({detail})" if detail else ""
    if code == 401:
        return (f"the portal refused the token (401){said}: it is missing, wrong, expired "
                f"or revoked. Create a token at {url}/accounts/tokens/ and set "
                "MCP_PORTAL_TOKEN (or "
                "\"token\" in ~/.config/mcp-governance/config.json).")
    if code == 403:
        return (f"the portal refused the check (403){said}: your account may not use it. "
                "Check MCP_PORTAL_TOKEN, or ask the platform team.")
    if code in (404, 405) or code < 400:
        return (f"{url}/api/v1/check is not the portal's check (it answered {code}): check "
                "MCP_PORTAL_URL.")
    if code == 413:
        return (f"the portal refused the check as too large (413){said}: remove MCP servers "
                "you no longer use from ~/.claude.json.")
    if code == 400:
        return (f"the portal could not read the config sent (400){said}. Fix the MCP server "
                f"entries it names, or download the hook again from "
                f"{url}/api/v1/client/mcp_governance_hook.py.")
    return f"the portal refused the check ({code}){said}."


def ask_portal(settings: dict, body: dict) -> dict:
    if not settings["portal_url"]:
        raise PortalRefused("MCP_PORTAL_URL is not set: set it (or \"portal_url\" in "
                            "~/.config/mcp-governance/config.json) to the portal's address.")
    request = urllib.request.Request(
        settings["portal_url"] + "/api/v1/check", data=json.dumps(body).encode(),
        method="POST", headers={"Content-Type": "application/json",
                                "Accept": "application/json",
                                "User-Agent": f"mcp-governance-hook/{VERSION}",
                                **({"Authorization": f"Token {settings['token']}"}
                                   if settings["token"] else {})})
    try:
        with urllib.request.urlopen(request, timeout=settings["timeout"]) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code >= 500 or exc.code in TRANSIENT_STATUSES:
            raise PortalUnavailable(f"the portal answered {exc.code}") from exc
        raise PortalRefused(_refusal(settings, exc.code, _error_detail(exc))) from exc
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise PortalUnavailable(f"the portal cannot be reached ({exc})") from exc
    except ValueError as exc:  # a malformed URL
        raise PortalRefused(f"MCP_PORTAL_URL is not a usable address ({exc}).") from exc
    try:
        answer = json.loads(raw.decode("utf-8"))
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
        raise PortalRefused(f"the answer of {settings['portal_url']}/api/v1/check is not a "
                            "check result: check MCP_PORTAL_URL.")
    return answer


def read_cache(settings: dict) -> dict:
    """{"body_sha", "fetched_at", "verdicts": {fingerprint: {"result", "checked_at"}}};
    entries without a time of their own (an older hook's) are dropped."""
    cache = _read_json(settings["cache"])
    empty = {"verdicts": {}, "body_sha": "", "fetched_at": 0}
    if not isinstance(cache, dict) or not isinstance(cache.get("verdicts"), dict):
        return empty
    verdicts = {}
    for key, entry in cache["verdicts"].items():
        if (isinstance(entry, dict) and isinstance(entry.get("result"), dict)
                and isinstance(entry.get("checked_at"), (int, float))
                and not isinstance(entry.get("checked_at"), bool)):
            verdicts[key] = entry
    fetched_at = cache.get("fetched_at")
    return {"verdicts": verdicts, "body_sha": str(cache.get("body_sha") or ""),
            "fetched_at": fetched_at if isinstance(fetched_at, (int, float)) else 0}


def write_cache(settings: dict, body_sha: str, verdicts: dict, now: float):
    path = settings["cache"]
    kept = {key: entry for key, entry in verdicts.items()
            if entry["result"].get("verdict") != "approved"
            or now - entry["checked_at"] <= settings["max_age"]}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps({"body_sha": body_sha, "fetched_at": now,
                                   "portal": settings["portal_url"], "verdicts": kept}),
                       encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home must not break the session


def usable(entry: dict | None, settings: dict, now: float) -> dict | None:
    """A cached verdict as the portal gave it, or None when there is none worth trusting:
    an "approved" older than max_age no longer counts (it may have been revoked since); an
    older refusal still does, with its age."""
    if entry is None:
        return None
    age = now - entry["checked_at"]
    if -CLOCK_SLACK <= age <= settings["max_age"]:
        return entry["result"]
    if entry["result"].get("verdict") == "approved":
        return None
    days = max(int(age // 86400), 0)
    return {**entry["result"], "reason": f"{entry['result'].get('reason')} (last checked "
                                         f"{days} day{'' if days == 1 else 's'} ago)"}


def verdicts_for(settings: dict, body: dict, use_ttl: bool) -> dict:
    """{"verdicts": {fingerprint: result}, "outage": text, "refused": text}: the verdicts
    from the portal, else the usable ones from the cache; malformed entries get theirs here
    and are never sent."""
    clean, local = split_malformed(body)
    now = time.time()
    body_sha = hashlib.sha256(json.dumps([settings["portal_url"], clean],
                                         sort_keys=True).encode()).hexdigest()
    cache = read_cache(settings)
    state = {"verdicts": {}, "outage": "", "refused": ""}
    entries = cache["verdicts"]
    if not (use_ttl and cache["body_sha"] == body_sha
            and 0 <= now - float(cache["fetched_at"]) < settings["ttl"]):
        try:
            answer = ask_portal(settings, clean)
        except PortalUnavailable as exc:
            state["outage"] = str(exc)
        except PortalRefused as exc:
            state["refused"] = str(exc)
        else:
            entries = dict(entries)
            for name, config, scope in each_server(clean):
                for result in answer["results"]:
                    if isinstance(result, dict) and result.get("scope") == scope and (
                            result.get("name") == name):
                        entries[fingerprint(name, config)] = {"result": result,
                                                              "checked_at": now}
            write_cache(settings, body_sha, entries, now)
    for key, entry in entries.items():
        result = usable(entry, settings, now)
        if result is not None:
            state["verdicts"][key] = result
    state["verdicts"].update(local)
    return state


def each_server(body: dict):
    for name, config in body.get("mcpServers", {}).items():
        yield name, config, "user"
    for scope, project in body.get("projects", {}).items():
        for name, config in project.get("mcpServers", {}).items():
            yield name, config, scope


# ─── events ─────────────────────────────────────────────────────────────────────────


def where(scope: str) -> str:
    """Where to fix an entry of that scope."""
    if scope == "user":
        return "your user config (~/.claude.json)"
    if scope.endswith(".mcp.json"):
        return scope
    return f"~/.claude.json, under the project {scope}"


def describe(result: dict, scope: str) -> str:
    place = "your user config" if scope == "user" else scope
    text = f"- {result.get('name')} ({place}): {result.get('verdict')}. {result.get('reason')}"
    pin = result.get("approved_pin")
    if result.get("verdict") == "version_mismatch" and pin:
        text += f" Approved pin: {json.dumps(pin)}."
    if result.get("request_url"):
        text += f" File a request: {result['request_url']}"
    return text


def session_start(payload: dict, settings: dict) -> dict | None:
    cwd = str(payload.get("cwd") or os.getcwd())
    body = gather_configs(settings, cwd)
    state = verdicts_for(settings, body, use_ttl=False)
    verdicts = state["verdicts"]
    lines, unknown = [], []
    for name, config, scope in each_server(body):
        result = verdicts.get(fingerprint(name, config))
        if result is None:
            unknown.append(f"- {name} ({'your user config' if scope == 'user' else scope})")
        elif result.get("verdict") in PROBLEM_VERDICTS:
            lines.append(describe(result, scope))
    parts = []
    if state["refused"]:
        parts.append(f"MCP governance: {state['refused']} Until this is fixed, every MCP "
                     "tool call is blocked.")
    if settings["warnings"]:
        parts.append("MCP governance settings: " + " ".join(settings["warnings"]))
    if lines:
        parts.append("MCP governance: these MCP servers of this session are not approved "
                     "for use; Claude Code calls to them are blocked:\n" + "\n".join(lines))
    if state["outage"]:
        mode = "blocked" if settings["fail_closed"] else "allowed"
        parts.append(f"MCP governance: {state['outage']}; using the last known answers."
                     + (f" Servers with no recent answer are {mode} until the portal "
                        "answers:\n" + "\n".join(unknown) if unknown else ""))
    if not parts:
        return None
    text = "\n\n".join(parts)
    return {"systemMessage": text,
            "hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": text}}


def normalise(name: str) -> str:
    """Claude Code's tool names carry the server name with other characters as _."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def pre_tool_use(payload: dict, settings: dict) -> dict | None:
    tool = str(payload.get("tool_name") or "")
    if not tool.startswith("mcp__"):
        return None
    rest = tool[len("mcp__"):]
    cwd = str(payload.get("cwd") or os.getcwd())
    body = gather_configs(settings, cwd)
    mcp_json = str(Path(settings["project_dir"] or cwd) / ".mcp.json")
    # A server name may hold "__" itself (mcp__gh__x__delete is server gh__x's delete, or
    # server gh's x__delete): every reading that names a configured server is checked,
    # and the call is denied if any of them denies it, so a second name cannot hide a tool.
    servers = {normalise(name) for name, _config, _scope in each_server(body)}
    readings = [(rest[:at], rest[at + 2:]) for at in range(len(rest))
                if rest.startswith("__", at) and rest[:at] in servers] or [
                   rest.partition("__")[::2]]
    decisions = [_pre_tool_use_as(server, tool_name, settings, body, mcp_json)
                 for server, tool_name in readings]
    return next((d for d in decisions if d is not None), None)


def _pre_tool_use_as(server: str, tool_name: str, settings: dict, body, mcp_json: str):
    """The decision for the tool `tool_name` of the server Claude Code calls `server`."""
    # The closest scope wins, as in Claude Code: local, then project, then user.
    candidates = sorted(((({"user": 2, mcp_json: 1}.get(scope, 0)), name, config, scope)
                         for name, config, scope in each_server(body)
                         if normalise(name) == server), key=lambda c: c[0])
    if not candidates:
        managed = _read_json(settings["managed_mcp"])
        if isinstance(managed, dict) and server in {
                normalise(n) for n in _servers(managed.get("mcpServers"))}:
            return None  # deployed by the platform team from the portal's export
        return deny(f"MCP server '{server}' is not in any config this hook can read, so the "
                    "portal cannot vouch for it. File a request in the MCP Governance Portal"
                    + (f": {settings['portal_url']}/requests/new/" if settings["portal_url"]
                       else "."))
    _, name, config, scope = candidates[0]
    state = verdicts_for(settings, body, use_ttl=True)
    result = state["verdicts"].get(fingerprint(name, config))
    if result is not None and result.get("verdict") != "approved":
        return deny("Blocked by MCP governance: " + describe(result, scope)[2:])
    if state["refused"]:
        return deny(f"Blocked by MCP governance: '{name}' cannot be checked: "
                    f"{state['refused']}")
    excluded = excluded_tool(result, tool_name)
    if excluded:
        return deny(f"Blocked by MCP governance: the tool '{excluded}' of "
                    f"{result.get('server') or name} is excluded from its approval (the "
                    "approvers left it out). Ask the security team if you need it.")
    if result is None:
        if settings["fail_closed"]:
            return deny(f"MCP server '{name}' cannot be checked ({state['outage'] or 'no answer'})"
                        " and the MCP governance hook is set to fail closed.")
        return None
    return None


def excluded_tool(result, tool_name: str) -> str:
    """The excluded tool (as the portal names it) that `tool_name`, the tool part of
    Claude Code's mcp__<server>__<tool>, is, or "" when the approval does not exclude it."""
    excluded = result.get("excluded_tools") if isinstance(result, dict) else None
    if not isinstance(excluded, list) or not tool_name:
        return ""
    return next((t for t in excluded if isinstance(t, str) and normalise(t) == tool_name), "")


def deny(reason: str) -> dict:
    return {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny",
                                   "permissionDecisionReason": reason}}


def main(stdin=None, stdout=None, env=None) -> int:
    """Exit 0 whatever happens, except when the event cannot be read and the hook fails
    closed (exit 2: Claude Code blocks a tool call on it). An unexpected error during a
    PreToolUse that fails closed denies the call; otherwise it is a warning on stderr."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    event = None
    settings = None
    try:
        try:
            payload = json.loads(stdin.read() or "{}")
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            if fails_closed(env):
                print("mcp-governance hook: the event is not a JSON object, and the hook fails "
                      "closed: blocked.", file=sys.stderr)
                return 2
            print("mcp-governance hook: the event is not a JSON object; ignored.",
                  file=sys.stderr)
            return 0
        event = payload.get("hook_event_name")
        settings = load_settings(env)
        for warning in settings["warnings"]:
            print(f"mcp-governance hook: {warning}", file=sys.stderr)
        if event == "SessionStart":
            output = session_start(payload, settings)
        elif event == "PreToolUse":
            output = pre_tool_use(payload, settings)
        else:
            output = None
        if output:
            stdout.write(json.dumps(output) + "\n")
        return 0
    except Exception as exc:  # noqa: BLE001 - an exit 1 would let the call through unchecked
        problem = f"{type(exc).__name__}: {exc}"
        print(f"mcp-governance hook: unexpected error: {problem}", file=sys.stderr)
        closed = settings["fail_closed"] if settings else fails_closed(env)
        if event == "PreToolUse" and closed:
            stdout.write(json.dumps(deny(
                f"The MCP governance hook failed ({problem}) and is set to fail closed, so "
                "MCP tool calls are blocked. Report this to the platform team.")) + "\n")
        return 0


if __name__ == "__main__":
    sys.exit(main())
