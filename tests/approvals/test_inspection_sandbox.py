"""Capability inspection in the sandbox, for real (issue 14): the fixture servers of
tests/servers/mcp_caps are started in bubblewrap and asked with the official MCP SDK.
bubblewrap must be installed (.ci/bubblewrap.sh); without it these tests fail."""

import socket
import sys
from pathlib import Path

import pytest

from approvals.services.inspection import inspect_config
from tests.servers.mcp_caps import BAD, SERVERS, local


def test_the_fixture_server_is_listed_with_annotations_resources_and_prompts(inspector):
    found = inspect_config(local(SERVERS / "notes_v2.py"), version="1.0.1")
    assert (found.status, found.reason) == ("done", "")
    assert (found.server_name, found.server_version) == ("notes", "2.0.0")
    tools = {tool["name"]: tool for tool in found.tools}
    assert sorted(tools) == ["add_note", "delete_all_notes", "list_notes", "purge_cache"]
    assert tools["delete_all_notes"]["annotations"] == {
        "readOnlyHint": False, "destructiveHint": True, "idempotentHint": True}
    assert "tag" in tools["list_notes"]["input_schema"]["properties"]
    assert "~/.ssh/id_rsa" in tools["add_note"]["description"]
    assert [r["uri"] for r in found.resources] == ["notes://index"]
    assert [(p["name"], p["arguments"]) for p in found.prompts] == [("summarise", ["title"])]


def test_the_sandbox_has_no_network(inspector):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    try:
        host, port = listener.getsockname()
        found = inspect_config(local(BAD / "network.py", f"{host}:{port}"), version="1.0.0")
    finally:
        listener.close()
    assert found.status == "done"
    assert found.server_name.startswith("blocked:"), found.server_name


def test_the_sandbox_hides_the_machine_and_writes_nowhere_but_scratch(inspector, tmp_path):
    settings_file = Path(__file__).resolve().parents[2] / "governance" / "settings.py"
    secret = tmp_path / "secret.txt"
    secret.write_text("a secret")
    found = inspect_config(local(BAD / "snoops.py", str(settings_file), str(secret),
                                 "/var/run/postgresql"), version="1.0.0")
    assert found.status == "done", found.stderr
    seen = dict(item.split("=") for item in found.tools[0]["description"].split())
    assert seen == {str(settings_file): "hidden", str(secret): "hidden",
                    "/var/run/postgresql": "hidden", "home": "0",
                    "/usr/written-by-server": "refused",
                    "/home/inspect/.bashrc": "written",       # a tmpfs, gone after
                    "scratch-file": "written"}                # the one scratch folder
    assert not Path("/usr/written-by-server").exists()


def test_the_sandbox_writes_only_within_its_size_and_sees_none_of_the_portals_secrets(
        inspector, monkeypatch):
    """Each writable folder is a tmpfs of INSPECTION_SCRATCH_MB (memory no address-space
    limit counts), and the worker's environment stays outside."""
    inspector.INSPECTION_SCRATCH_MB = 8
    monkeypatch.setenv("SECRET_KEY", "the-portals-secret-key")
    monkeypatch.setenv("DATABASE_URL", "postgres://portal:password@db/portal")
    found = inspect_config(local(BAD / "hoards.py"), version="1.0.0")
    assert found.status == "done", found.stderr
    seen = dict(item.split("=") for item in found.tools[0]["description"].split())
    assert seen.pop("secrets") == "none"
    assert set(seen) == {"/tmp", "/home/inspect", "."}
    assert all(0 < int(mib) <= 8 for mib in seen.values()), seen  # not the 64 it tries


@pytest.mark.parametrize(("script", "reason"), [
    ("hangs.py", "no answer within the time limit (10 s)"),
    ("floods.py", "the server closed the connection before it answered"),
    ("exits.py", "the server closed the connection before it answered"),
    ("memory.py", "the server closed the connection before it answered"),
])
def test_a_bad_server_ends_within_the_limits_with_a_reason(inspector, script, reason):
    found = inspect_config(local(BAD / script), version="1.0.0")
    assert (found.status, found.reason) == ("not_inspectable", reason)
    assert found.tools == []


def test_a_server_that_answers_garbage_is_not_inspectable(inspector):
    found = inspect_config(local(BAD / "garbage.py"), version="1.0.0")
    assert found.status == "not_inspectable"
    assert found.reason


def test_the_error_output_is_kept_for_the_reviewer(inspector):
    assert "GITHUB_TOKEN is not a valid token" in inspect_config(
        local(BAD / "exits.py"), version="1.0.0").stderr
    assert "MemoryError" in inspect_config(local(BAD / "memory.py"), version="1.0.0").stderr


def test_ten_thousand_tools_are_cut_with_the_reason(inspector):
    found = inspect_config(local(BAD / "many_tools.py"), version="1.0.0")
    assert found.status == "done"
    assert len(found.tools) == 1000
    assert found.reason == "Cut: tools: more than 1000; the first 1000 are recorded"


def test_a_config_that_runs_no_package_is_not_inspectable(inspector):
    found = inspect_config({"command": "docker", "args": ["run", "-i", "img:1.0.0"]},
                           version="1.0.0")
    assert found.status == "not_inspectable"
    assert "only packages (npx, uvx) and remote servers are inspected" in found.reason
    assert sys.executable  # the interpreter the local fixtures run with


@pytest.mark.parametrize("url, says", [
    ("https://10.1.2.3/mcp", "resolves to 10.1.2.3, an address inside a private network"),
    ("https://[::1]/mcp", "resolves to ::1, an address inside a private network"),
    ("https://no-such-host.invalid/mcp", "does not resolve"),
])
def test_a_remote_server_inside_the_organisations_network_is_not_inspected(
        inspector, url, says):
    found = inspect_config({"type": "http", "url": url}, version="1.0.0")
    assert found.status == "not_inspectable"
    assert says in found.reason


def test_the_inspector_never_connects_to_an_internal_address_a_requester_typed(inspector):
    """The requester types the URL: the inspector must not probe internal hosts for them."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    try:
        port = listener.getsockname()[1]
        found = inspect_config({"type": "http", "url": f"https://127.0.0.1:{port}/mcp"},
                               version="1.0.0")
        with pytest.raises(TimeoutError):
            listener.accept()  # nothing came
        inspector.INSPECTION_REMOTE_ALLOW_PRIVATE = True  # unless the operator allows it
        inspector.INSPECTION_TIMEOUT = 1
        allowed = inspect_config({"type": "http", "url": f"https://127.0.0.1:{port}/mcp"},
                                 version="1.0.0")
        listener.accept()[0].close()
    finally:
        listener.close()
    assert found.status == "not_inspectable"
    assert "127.0.0.1 resolves to 127.0.0.1, an address inside a private network" in found.reason
    assert allowed.status == "not_inspectable" and "private network" not in allowed.reason


def test_the_installers_get_none_of_the_portals_secrets(monkeypatch):
    from approvals.sandbox import install_environment
    monkeypatch.setenv("SECRET_KEY", "the-portals-secret-key")
    monkeypatch.setenv("DATABASE_URL", "postgres://portal:password@db/portal")
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:4873/")
    given = install_environment()
    assert "SECRET_KEY" not in given and "DATABASE_URL" not in given
    assert given["HTTPS_PROXY"] == "http://proxy.example:3128"
    assert given["npm_config_registry"] == "http://127.0.0.1:4873/"
    assert given["PATH"]
