"""The enforcement hook, run as Claude Code runs it: a subprocess with the event's JSON on
stdin, talking to a live portal on 127.0.0.1."""

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from registry.services import build_export
from tests.factories import ApprovalFactory, RequestFactory, ServerFactory, stdio_config

HOOK = Path(__file__).resolve().parents[2] / "client" / "mcp_governance_hook.py"
C7 = stdio_config("@context7/mcp-server", "1.2.3")
UNREACHABLE = "http://127.0.0.1:9"


@pytest.fixture
def machine(tmp_path, live_server, developer):
    """A developer's machine: a home with ~/.claude.json, a project, the hook's settings."""
    home = tmp_path / "home"
    project = tmp_path / "work" / "app"
    home.mkdir()
    project.mkdir(parents=True)
    token = Token.objects.create(user=developer)

    class Machine:
        env = {"HOME": str(home), "PATH": "/usr/bin:/bin",
               "MCP_PORTAL_URL": live_server.url, "MCP_PORTAL_TOKEN": token.key,
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

        def run(self, payload, **env):
            result = subprocess.run(
                [sys.executable, str(HOOK)], input=json.dumps(payload), text=True,
                capture_output=True, env={**self.env, **env}, timeout=30, check=False)
            assert result.returncode == 0, result.stderr
            return json.loads(result.stdout) if result.stdout.strip() else None

        def session_start(self, **env):
            return self.run({"session_id": "3f1c", "hook_event_name": "SessionStart",
                             "transcript_path": str(home / ".claude" / "t.jsonl"),
                             "cwd": str(project), "source": "startup"}, **env)

        def tool_call(self, tool, **env):
            return self.run({"session_id": "3f1c", "hook_event_name": "PreToolUse",
                             "transcript_path": str(home / ".claude" / "t.jsonl"),
                             "cwd": str(project), "permission_mode": "default",
                             "tool_name": tool, "tool_input": {"libraryName": "react"},
                             "tool_use_id": "toolu_01ABC"}, **env)

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


def test_a_bad_token_is_reported_and_the_cache_is_used(machine, registry):
    machine.user_servers({"context7": C7})
    note = machine.session_start(MCP_PORTAL_TOKEN="not-a-token")["systemMessage"]
    assert "401" in note and "MCP_PORTAL_TOKEN" in note


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
