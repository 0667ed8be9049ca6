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
                          reached and the cache does not know a server
    MCP_GOVERNANCE_CACHE  the cache file (default ~/.cache/mcp-governance/check.json)
    MCP_GOVERNANCE_TTL    seconds a cached answer is used without asking again (default 300)
    MCP_GOVERNANCE_TIMEOUT  seconds to wait for the portal (default 3)

On SessionStart it reads every MCP config it can find (~/.claude.json: the user's servers
and every project's; the project's .mcp.json), asks the portal, and tells you (and Claude)
about each server that is not approved, is expired, denied or pinned to another version.
On PreToolUse for a tool mcp__<server>__<tool> it denies the call when that server is not
approved, with the reason. Only what a server runs (command and args, or URL) is sent:
env and header values never leave the machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

VERSION = "1.0.0"
PROBLEM_VERDICTS = ("unapproved", "denied", "expired", "version_mismatch")
# Where the platform team deploys managed-mcp.json: the servers in it are the approved set.
MANAGED_MCP = {
    "darwin": "/Library/Application Support/ClaudeCode/managed-mcp.json",
    "win32": r"C:\Program Files\ClaudeCode\managed-mcp.json",
    "": "/etc/claude-code/managed-mcp.json",
}


# ─── settings ───────────────────────────────────────────────────────────────────────


def load_settings(env=None) -> dict:
    env = os.environ if env is None else env
    home = Path(env.get("HOME") or Path.home())
    file_settings = {}
    config_file = Path(env.get("MCP_GOVERNANCE_CONFIG")
                       or home / ".config" / "mcp-governance" / "config.json")
    try:
        file_settings = json.loads(config_file.read_text(encoding="utf-8"))
        if not isinstance(file_settings, dict):
            file_settings = {}
    except (OSError, ValueError):
        pass

    def get(name, default=""):
        value = env.get(f"MCP_{name.upper()}") or env.get(f"MCP_GOVERNANCE_{name.upper()}")
        if value is None or value == "":
            value = file_settings.get(name, default)
        return value

    fail_mode = str(env.get("MCP_GOVERNANCE_FAIL") or file_settings.get("fail_mode")
                    or "open").lower()
    return {
        "home": home,
        "portal_url": str(env.get("MCP_PORTAL_URL") or file_settings.get("portal_url")
                          or "").rstrip("/"),
        "token": str(env.get("MCP_PORTAL_TOKEN") or file_settings.get("token") or ""),
        "fail_closed": fail_mode == "closed",
        "cache": Path(get("cache") or home / ".cache" / "mcp-governance" / "check.json"),
        "ttl": float(get("ttl") or 300),
        "timeout": float(get("timeout") or 3),
        "claude_config_dir": env.get("CLAUDE_CONFIG_DIR") or "",
        "project_dir": env.get("CLAUDE_PROJECT_DIR") or "",
        "managed_mcp": Path(get("managed_mcp") or MANAGED_MCP.get(sys.platform, MANAGED_MCP[""])),
    }


# ─── reading the client's configs ───────────────────────────────────────────────────


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _servers(value) -> dict:
    """Only what identifies a server: type, command, args, url. Never env or headers."""
    out = {}
    if not isinstance(value, dict):
        return out
    for name, config in value.items():
        if isinstance(config, dict):
            out[str(name)] = {k: config[k] for k in ("type", "command", "args", "url")
                              if k in config}
    return out


def gather_configs(settings: dict, cwd: str) -> dict:
    """{"mcpServers": user scope, "projects": {path or path/.mcp.json: {"mcpServers": ...}}}"""
    config_dir = settings["claude_config_dir"]
    claude_json = Path(config_dir) / ".claude.json" if config_dir else (
        settings["home"] / ".claude.json")
    body = {"mcpServers": {}, "projects": {}}
    document = _read_json(claude_json)
    if isinstance(document, dict):
        body["mcpServers"] = _servers(document.get("mcpServers"))
        projects = document.get("projects")
        if isinstance(projects, dict):
            for path, project in projects.items():
                if isinstance(project, dict) and _servers(project.get("mcpServers")):
                    body["projects"][str(path)] = {
                        "mcpServers": _servers(project.get("mcpServers"))}
    project_dir = settings["project_dir"] or cwd
    if project_dir:
        mcp_json = Path(project_dir) / ".mcp.json"
        document = _read_json(mcp_json)
        if isinstance(document, dict) and _servers(document.get("mcpServers")):
            body["projects"][str(mcp_json)] = {"mcpServers": _servers(document["mcpServers"])}
    return body


def session_scopes(body: dict, cwd: str, settings: dict) -> set:
    """The scopes whose servers this session starts: the user's, this project's local
    servers and its .mcp.json."""
    project_dir = settings["project_dir"] or cwd
    scopes = {"user"}
    if project_dir:
        scopes.add(str(project_dir))
        scopes.add(str(Path(project_dir) / ".mcp.json"))
    return scopes


def fingerprint(name: str, config: dict) -> str:
    return hashlib.sha256(json.dumps([name, config], sort_keys=True).encode()).hexdigest()


# ─── the portal and the cache ───────────────────────────────────────────────────────


class PortalUnavailable(Exception):
    pass


def ask_portal(settings: dict, body: dict) -> dict:
    if not settings["portal_url"]:
        raise PortalUnavailable("MCP_PORTAL_URL is not set")
    request = urllib.request.Request(
        settings["portal_url"] + "/api/v1/check", data=json.dumps(body).encode(),
        method="POST", headers={"Content-Type": "application/json",
                                "Accept": "application/json",
                                "User-Agent": f"mcp-governance-hook/{VERSION}",
                                **({"Authorization": f"Token {settings['token']}"}
                                   if settings["token"] else {})})
    try:
        with urllib.request.urlopen(request, timeout=settings["timeout"]) as response:
            answer = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        hint = " (check MCP_PORTAL_TOKEN)" if exc.code in (401, 403) else ""
        raise PortalUnavailable(f"the portal answered {exc.code}{hint}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise PortalUnavailable(f"the portal cannot be reached ({exc})") from exc
    if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
        raise PortalUnavailable("the portal's answer is not a check result")
    return answer


def read_cache(settings: dict) -> dict:
    cache = _read_json(settings["cache"])
    if not isinstance(cache, dict) or not isinstance(cache.get("verdicts"), dict):
        return {"verdicts": {}, "body_sha": "", "fetched_at": 0}
    return cache


def write_cache(settings: dict, body_sha: str, verdicts: dict):
    path = settings["cache"]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps({"body_sha": body_sha, "fetched_at": time.time(),
                                   "portal": settings["portal_url"], "verdicts": verdicts}),
                       encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home must not break the session


def verdicts_for(settings: dict, body: dict, use_ttl: bool) -> tuple:
    """({fingerprint: result}, problem text or ""): from the portal, else from the cache."""
    body_sha = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    cache = read_cache(settings)
    if use_ttl and cache.get("body_sha") == body_sha and (
            time.time() - float(cache.get("fetched_at") or 0)) < settings["ttl"]:
        return cache["verdicts"], ""
    try:
        answer = ask_portal(settings, body)
    except PortalUnavailable as exc:
        return cache["verdicts"], str(exc)
    verdicts = dict(cache["verdicts"])
    for name, config, scope in each_server(body):
        for result in answer["results"]:
            if result.get("scope") == scope and result.get("name") == name:
                verdicts[fingerprint(name, config)] = result
    write_cache(settings, body_sha, verdicts)
    return verdicts, ""


def each_server(body: dict):
    for name, config in body.get("mcpServers", {}).items():
        yield name, config, "user"
    for scope, project in body.get("projects", {}).items():
        for name, config in project.get("mcpServers", {}).items():
            yield name, config, scope


# ─── events ─────────────────────────────────────────────────────────────────────────


def describe(result: dict, scope: str) -> str:
    where = "your user config" if scope == "user" else scope
    text = f"- {result.get('name')} ({where}): {result.get('verdict')}. {result.get('reason')}"
    pin = result.get("approved_pin")
    if result.get("verdict") == "version_mismatch" and pin:
        text += f" Approved pin: {json.dumps(pin)}."
    if result.get("request_url"):
        text += f" File a request: {result['request_url']}"
    return text


def session_start(payload: dict, settings: dict) -> dict | None:
    cwd = str(payload.get("cwd") or os.getcwd())
    body = gather_configs(settings, cwd)
    verdicts, problem = verdicts_for(settings, body, use_ttl=False)
    lines, unknown = [], []
    for name, config, scope in each_server(body):
        result = verdicts.get(fingerprint(name, config))
        if result is None:
            unknown.append(f"- {name} ({'your user config' if scope == 'user' else scope})")
        elif result.get("verdict") in PROBLEM_VERDICTS:
            lines.append(describe(result, scope))
    parts = []
    if lines:
        parts.append("MCP governance: these MCP servers are not approved for use; Claude Code "
                     "calls to them are blocked:\n" + "\n".join(lines))
    if problem:
        mode = "blocked" if settings["fail_closed"] else "allowed"
        parts.append(f"MCP governance: {problem}; using the last known answers."
                     + (f" Servers never checked are {mode} until the portal answers:\n"
                        + "\n".join(unknown) if unknown else ""))
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
    server = tool[len("mcp__"):].split("__", 1)[0]
    cwd = str(payload.get("cwd") or os.getcwd())
    body = gather_configs(settings, cwd)
    scopes = session_scopes(body, cwd, settings)
    # The closest scope wins, as in Claude Code: local, then project, then user.
    order = {str(settings["project_dir"] or cwd): 0,
             str(Path(settings["project_dir"] or cwd) / ".mcp.json"): 1, "user": 2}
    candidates = sorted(((order.get(scope, 3), name, config, scope)
                         for name, config, scope in each_server(body)
                         if scope in scopes and normalise(name) == server),
                        key=lambda c: c[0])
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
    verdicts, problem = verdicts_for(settings, body, use_ttl=True)
    result = verdicts.get(fingerprint(name, config))
    if result is None:
        if settings["fail_closed"]:
            return deny(f"MCP server '{name}' cannot be checked ({problem or 'no answer'}) and "
                        "the MCP governance hook is set to fail closed.")
        return None
    if result.get("verdict") == "approved":
        return None
    return deny("Blocked by MCP governance: " + describe(result, scope)[2:])


def deny(reason: str) -> dict:
    return {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny",
                                   "permissionDecisionReason": reason}}


def main(stdin=None, stdout=None, env=None) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    try:
        payload = json.loads(stdin.read() or "{}")
    except ValueError:
        print("mcp-governance hook: the input is not JSON", file=sys.stderr)
        return 1  # a non-blocking error: Claude Code carries on and logs it
    if not isinstance(payload, dict):
        return 1
    settings = load_settings(env)
    event = payload.get("hook_event_name")
    if event == "SessionStart":
        output = session_start(payload, settings)
    elif event == "PreToolUse":
        output = pre_tool_use(payload, settings)
    else:
        output = None
    if output:
        stdout.write(json.dumps(output) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
