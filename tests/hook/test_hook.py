"""The enforcement hook, run as Claude Code runs it: a subprocess with the event's JSON on
stdin, talking to a live portal on 127.0.0.1."""

import ast
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from accounts.models import ApiToken
from accounts.services import issue_token
from registry.services import build_export
from tests.factories import ApprovalFactory, RequestFactory, ServerFactory, stdio_config

HOOK = Path(__file__).resolve().parents[2] / "client" / "mcp_governance_hook.py"
C7 = stdio_config("@context7/mcp-server", "1.2.3")
UNREACHABLE = "http://127.0.0.1:9"
EVIL = {"command": "npx", "args": ["-y", "@evil/x@1.0.0"]}
# Runs the hook with one of its steps broken, as an unforeseen bug would break it.
BROKEN_HOOK = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("hook", sys.argv[1])
hook = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hook)
def broken(*args, **kwargs):
    raise RuntimeError("disk on fire")
hook.gather_configs = broken
sys.exit(hook.main())
"""


@pytest.fixture
def machine(tmp_path, live_server, developer):
    """A developer's machine: a home with ~/.claude.json, a project, the hook's settings."""
    home = tmp_path / "home"
    project = tmp_path / "work" / "app"
    home.mkdir()
    project.mkdir(parents=True)
    _token, key = issue_token(user=developer, name="hook", days=90)

    class Machine:
        env = {"HOME": str(home), "PATH": "/usr/bin:/bin",
               "MCP_PORTAL_URL": live_server.url, "MCP_PORTAL_TOKEN": key,
               "MCP_GOVERNANCE_CACHE": str(tmp_path / "cache" / "check.json"),
               "MCP_GOVERNANCE_MANAGED_MCP": str(tmp_path / "no-managed-mcp.json")}

        def __init__(self):
            self.home, self.project = home, project

        def user_servers(self, servers, projects=None):
            document = {"numStartups": 12, "mcpServers": servers,
                        "projects": {str(project): {"allowedTools": [],
                                                    "mcpServers": projects or {}}}}
            (home / ".claude.json").write_text(json.dumps(document))

        def project_servers(self, servers):
            (project / ".mcp.json").write_text(json.dumps({"mcpServers": servers}))

        def raw(self, text, command=(str(HOOK),), **env):
            return subprocess.run(
                [sys.executable, *command], input=text, text=True,
                capture_output=True, env={**self.env, **env}, timeout=30, check=False)

        def run(self, payload, **env):
            result = self.raw(json.dumps(payload), **env)
            assert result.returncode == 0, result.stderr
            return json.loads(result.stdout) if result.stdout.strip() else None

        def claude_json(self, document):
            (home / ".claude.json").write_text(json.dumps(document))

        def session_start_event(self):
            return {"session_id": "3f1c", "hook_event_name": "SessionStart",
                    "transcript_path": str(home / ".claude" / "t.jsonl"),
                    "cwd": str(project), "source": "startup"}

        def tool_call_event(self, tool):
            return {"session_id": "3f1c", "hook_event_name": "PreToolUse",
                    "transcript_path": str(home / ".claude" / "t.jsonl"),
                    "cwd": str(project), "permission_mode": "default",
                    "tool_name": tool, "tool_input": {"libraryName": "react"},
                    "tool_use_id": "toolu_01ABC"}

        def session_start(self, **env):
            return self.run(self.session_start_event(), **env)

        def tool_call(self, tool, **env):
            return self.run(self.tool_call_event(tool), **env)

        def age_cache(self, seconds):
            """As if every answer in the cache had been given `seconds` ago."""
            cache_file = Path(self.env["MCP_GOVERNANCE_CACHE"])
            cache = json.loads(cache_file.read_text())
            for entry in cache["verdicts"].values():
                entry["checked_at"] = time.time() - seconds
            cache["fetched_at"] = time.time() - seconds
            cache_file.write_text(json.dumps(cache))

    return Machine()


@pytest.fixture
def registry(active_approval):
    ApprovalFactory(server__name="old-tool", server__package="@x/old-tool", version="2.0.0",
                    status="expired")
    RequestFactory(server=ServerFactory(name="browser-automation",
                                        package="@x/browser-automation"),
                   status="denied", denial_reason="Reaches any website.")
    build_export(cause="test")


def test_session_start_reports_every_server_that_is_not_approved(machine, registry):
    machine.user_servers({"context7": C7, "old": stdio_config("@x/old-tool", "2.0.0")},
                         projects={"c7-new": stdio_config("@context7/mcp-server", "1.4.0")})
    machine.project_servers({"browser": stdio_config("@x/browser-automation", "3.0.0"),
                             "renamed": {"command": "npx", "args": ["-y", "@evil/x@1.0.0"]}})
    output = machine.session_start()
    context = output["hookSpecificOutput"]["additionalContext"]
    assert output["hookSpecificOutput"]["hookEventName"] == "SessionStart"
    assert "old (your user config): expired" in context
    assert "c7-new" in context and "version_mismatch" in context and "1.2.3" in context
    assert "browser" in context and "denied" in context and "Reaches any website" in context
    assert "renamed" in context and "unapproved" in context
    assert "/requests/new/" in context
    assert "context7 (your user config)" not in context
    assert output["systemMessage"] == context


def test_session_start_is_silent_when_everything_is_approved(machine, registry):
    machine.user_servers({"docs": C7})
    assert machine.session_start() is None


def test_pre_tool_use_denies_a_call_to_an_unapproved_server(machine, registry):
    machine.project_servers({"context7": {"command": "npx", "args": ["-y", "@evil/x@1.0.0"]}})
    output = machine.tool_call("mcp__context7__resolve-library-id")["hookSpecificOutput"]
    assert output["hookEventName"] == "PreToolUse"
    assert output["permissionDecision"] == "deny"
    assert "unapproved" in output["permissionDecisionReason"]
    assert "/requests/new/" in output["permissionDecisionReason"]


def test_pre_tool_use_lets_an_approved_server_through_untouched(machine, registry):
    machine.user_servers({"context7": C7})
    assert machine.tool_call("mcp__context7__get-library-docs") is None


def test_pre_tool_use_denies_an_excluded_tool_whatever_the_server_is_called(
        machine, registry, active_approval):
    """The approval excludes two tools; the developer named the server "my gh.docs" (Claude
    Code calls its tools mcp__my_gh_docs__...): the hook finds it by what it runs."""
    active_approval.excluded_tools = ["delete-library", "purge.cache"]
    active_approval.save()
    build_export(cause="tools excluded")
    machine.user_servers({"my gh.docs": C7})
    output = machine.tool_call("mcp__my_gh_docs__delete-library")["hookSpecificOutput"]
    assert output["permissionDecision"] == "deny"
    assert "'delete-library' of context7 is excluded from its approval" in (
        output["permissionDecisionReason"])
    dotted = machine.tool_call("mcp__my_gh_docs__purge_cache")["hookSpecificOutput"]
    assert dotted["permissionDecision"] == "deny"
    # The server's other tools still pass, from the cached answer as from the portal.
    assert machine.tool_call("mcp__my_gh_docs__get-library-docs") is None
    assert machine.tool_call("mcp__my_gh_docs__delete-library-docs") is None
    # With the portal out of reach the cached exclusions still hold.
    again = machine.tool_call("mcp__my_gh_docs__delete-library", MCP_PORTAL_URL=UNREACHABLE)
    assert again["hookSpecificOutput"]["permissionDecision"] == "deny"


def test_a_second_name_holding_a_double_underscore_does_not_hide_an_excluded_tool(
        machine, registry, active_approval):
    """The developer adds the approved server twice, as "gh" and "gh__x": Claude Code calls
    gh__x's excluded tool mcp__gh__x__delete-library, which also reads as gh's tool
    x__delete-library. The hook checks every reading and denies."""
    active_approval.excluded_tools = ["delete-library"]
    active_approval.save()
    build_export(cause="tools excluded")
    machine.user_servers({"gh": C7, "gh__x": C7})
    output = machine.tool_call("mcp__gh__x__delete-library")["hookSpecificOutput"]
    assert output["permissionDecision"] == "deny"
    assert "'delete-library' of context7 is excluded" in output["permissionDecisionReason"]
    # Its other tools, under either name, still pass.
    assert machine.tool_call("mcp__gh__x__get-library-docs") is None
    assert machine.tool_call("mcp__gh__get-library-docs") is None


def test_pre_tool_use_ignores_tools_that_are_not_mcp(machine, registry):
    assert machine.tool_call("Bash") is None


def test_pre_tool_use_denies_a_server_found_in_no_config(machine, registry):
    output = machine.tool_call("mcp__mystery__run")["hookSpecificOutput"]
    assert output["permissionDecision"] == "deny"


def test_the_local_scope_wins_over_the_user_scope_as_in_claude_code(machine, registry):
    machine.user_servers({"context7": C7},
                         projects={"context7": stdio_config("@context7/mcp-server", "9.9.9")})
    output = machine.tool_call("mcp__context7__x")["hookSpecificOutput"]
    assert "version_mismatch" in output["permissionDecisionReason"]


def test_unreachable_portal_falls_back_to_the_last_good_answer(machine, registry):
    machine.user_servers({"context7": C7},
                         projects={"bad": {"command": "npx", "args": ["-y", "@evil/x@1.0.0"]}})
    machine.session_start()  # fills the cache
    offline = {"MCP_PORTAL_URL": UNREACHABLE, "MCP_GOVERNANCE_FAIL": "closed"}
    assert machine.tool_call("mcp__context7__x", **offline) is None
    denied = machine.tool_call("mcp__bad__x", **offline)["hookSpecificOutput"]
    assert denied["permissionDecision"] == "deny"
    assert "unapproved" in denied["permissionDecisionReason"]
    note = machine.session_start(**offline)["systemMessage"]
    assert "cannot be reached" in note and "last known answers" in note


def test_unreachable_portal_without_cache_fails_open_or_closed_as_set(machine, registry):
    machine.user_servers({"context7": C7})
    offline = {"MCP_PORTAL_URL": UNREACHABLE}
    assert machine.tool_call("mcp__context7__x", **offline) is None  # open by default
    closed = machine.tool_call("mcp__context7__x", MCP_GOVERNANCE_FAIL="closed", **offline)
    assert closed["hookSpecificOutput"]["permissionDecision"] == "deny"
    assert "fail closed" in closed["hookSpecificOutput"]["permissionDecisionReason"]


def denial(output):
    assert output is not None, "the call was allowed"
    assert output["hookSpecificOutput"]["hookEventName"] == "PreToolUse"
    assert output["hookSpecificOutput"]["permissionDecision"] == "deny"
    return output["hookSpecificOutput"]["permissionDecisionReason"]


def test_a_revoked_token_blocks_every_mcp_call_despite_the_cache_and_fail_open(
        machine, registry, developer):
    machine.user_servers({"context7": C7})
    assert machine.session_start() is None  # approved, and now in the cache
    ApiToken.objects.filter(user=developer).delete()
    reason = denial(machine.tool_call("mcp__context7__x", MCP_GOVERNANCE_TTL="0"))
    assert "401" in reason and "MCP_PORTAL_TOKEN" in reason and "/accounts/tokens/" in reason
    note = machine.session_start()["systemMessage"]
    assert "401" in note and "MCP_PORTAL_TOKEN" in note
    assert "every MCP tool call is blocked" in note


def test_a_portal_url_that_is_not_the_portal_blocks_mcp_calls(machine, registry, live_server):
    machine.user_servers({"context7": C7})
    reason = denial(machine.tool_call("mcp__context7__x",
                                      MCP_PORTAL_URL=live_server.url + "/wrong"))
    assert "404" in reason and "MCP_PORTAL_URL" in reason
    reason = denial(machine.tool_call("mcp__context7__x", MCP_PORTAL_URL=""))
    assert "MCP_PORTAL_URL is not set" in reason


def test_a_malformed_entry_is_blocked_by_name_and_does_not_let_the_others_through(
        machine, registry):
    machine.user_servers({"context7": C7, "evil": EVIL,
                          "broken": {"command": "node", "args": "server.js"}},
                         projects={"odd": "npx odd-server"})
    assert machine.tool_call("mcp__context7__x") is None
    assert "unapproved" in denial(machine.tool_call("mcp__evil__x"))
    reason = denial(machine.tool_call("mcp__broken__x"))
    assert '"args" must be a list of strings, not a string' in reason
    assert "~/.claude.json" in reason
    context = machine.session_start()["hookSpecificOutput"]["additionalContext"]
    assert "broken (your user config): unapproved" in context and '"args"' in context
    assert "evil (your user config): unapproved" in context
    assert "the entry is a string, not an object" in context
    assert f"~/.claude.json, under the project {machine.project}" in context
    assert "cannot be reached" not in context and "refused" not in context


def test_a_malformed_entry_is_not_sent_to_the_portal(tmp_path):
    spec = importlib.util.spec_from_file_location("hook", HOOK)
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    (tmp_path / ".claude.json").write_text(json.dumps({"mcpServers": {
        "context7": C7, "broken": {"command": "node", "args": "server.js"},
        "odd": "npx server"}}))
    settings = hook.load_settings({"HOME": str(tmp_path)})
    sent, flagged = hook.split_malformed(hook.gather_configs(settings, str(tmp_path)))
    assert list(sent["mcpServers"]) == ["context7"]
    assert sorted(r["name"] for r in flagged.values()) == ["broken", "odd"]


def test_settings_that_are_not_numbers_fall_back_to_the_defaults(machine, registry):
    machine.user_servers({"context7": C7, "evil": EVIL})
    bad = {"MCP_GOVERNANCE_TTL": "5m", "MCP_GOVERNANCE_TIMEOUT": "three",
           "MCP_GOVERNANCE_MAX_AGE": "a week", "MCP_GOVERNANCE_FAIL": "closed"}
    assert machine.tool_call("mcp__context7__x", **bad) is None
    assert "unapproved" in denial(machine.tool_call("mcp__evil__x", **bad))
    note = machine.session_start(**bad)["systemMessage"]
    assert "MCP_GOVERNANCE_TTL='5m' is not a number of seconds" in note
    assert "MCP_GOVERNANCE_TIMEOUT='three'" in note


def test_an_unexpected_error_denies_when_failing_closed_and_only_warns_otherwise(
        machine, registry):
    machine.user_servers({"context7": C7})
    broken = ("-c", BROKEN_HOOK, str(HOOK))
    event = json.dumps(machine.tool_call_event("mcp__context7__x"))
    closed = machine.raw(event, command=broken, MCP_GOVERNANCE_FAIL="closed")
    assert closed.returncode == 0, closed.stderr
    reason = denial(json.loads(closed.stdout))
    assert "disk on fire" in reason and "fail closed" in reason
    opened = machine.raw(event, command=broken)
    assert opened.returncode == 0 and opened.stdout == ""
    assert "disk on fire" in opened.stderr
    start = machine.raw(json.dumps(machine.session_start_event()), command=broken,
                        MCP_GOVERNANCE_FAIL="closed")
    assert start.returncode == 0 and start.stdout == "" and "disk on fire" in start.stderr


def test_an_unreadable_event_blocks_only_when_failing_closed(machine):
    closed = machine.raw("{not json", MCP_GOVERNANCE_FAIL="closed")
    assert closed.returncode == 2  # Claude Code's blocking exit code
    assert "fails closed" in closed.stderr
    opened = machine.raw("{not json")
    assert opened.returncode == 0 and "not a JSON object" in opened.stderr


def test_session_start_reports_only_the_servers_of_this_session(machine, registry):
    machine.claude_json({"mcpServers": {"mine-user": EVIL}, "projects": {
        str(machine.project): {"mcpServers": {"mine-local": EVIL}},
        "/home/dev/elsewhere": {"mcpServers": {"theirs": EVIL}}}})
    machine.project_servers({"mine-project": EVIL})
    context = machine.session_start()["hookSpecificOutput"]["additionalContext"]
    assert "mine-user" in context and "mine-local" in context and "mine-project" in context
    assert "theirs" not in context and "elsewhere" not in context


def test_an_old_cached_approval_does_not_count_when_the_portal_cannot_be_reached(
        machine, registry):
    machine.user_servers({"context7": C7, "evil": EVIL})
    machine.session_start()  # fills the cache
    offline = {"MCP_PORTAL_URL": UNREACHABLE}
    closed = {**offline, "MCP_GOVERNANCE_FAIL": "closed"}
    machine.age_cache(2 * 86400)
    assert machine.tool_call("mcp__context7__x", **closed) is None  # recent enough
    assert "fail closed" in denial(
        machine.tool_call("mcp__context7__x", MCP_GOVERNANCE_MAX_AGE="86400", **closed))
    machine.age_cache(90 * 86400)
    assert "fail closed" in denial(machine.tool_call("mcp__context7__x", **closed))
    assert machine.tool_call("mcp__context7__x", **offline) is None  # fail open: allowed
    # An old refusal still blocks, even when failing open, and says how old it is.
    reason = denial(machine.tool_call("mcp__evil__x", **offline))
    assert "unapproved" in reason and "last checked 90 days ago" in reason
    note = machine.session_start(**closed)["systemMessage"]
    assert "no recent answer are blocked" in note and "context7" in note


def test_env_and_header_values_never_leave_the_machine(tmp_path):
    spec = importlib.util.spec_from_file_location("hook", HOOK)
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    (tmp_path / ".claude.json").write_text(json.dumps({"mcpServers": {
        "context7": {**C7, "env": {"API_KEY": "s3cret-value"}},
        "remote": {"type": "http", "url": "https://mcp.example.com",
                   "headers": {"Authorization": "Bearer abc"}}}}))
    settings = hook.load_settings({"HOME": str(tmp_path)})
    body = hook.gather_configs(settings, str(tmp_path))
    assert body["mcpServers"]["context7"] == {"command": "npx", "args": C7["args"]}
    assert body["mcpServers"]["remote"] == {"type": "http", "url": "https://mcp.example.com"}
    assert "s3cret" not in json.dumps(body) and "Bearer" not in json.dumps(body)


def test_the_hook_runs_on_python_3_9():
    ast.parse(HOOK.read_text(), feature_version=(3, 9))
