"""Production settings: with the variables .env.example documents, `check --deploy` has no
security warning; the embedded default stays plain HTTP for `make run` and the tests; serving
with DEBUG off refuses the built-in SECRET_KEY, while commands keep working without one."""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def documented_env() -> dict:
    env = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    env["DEBUG"] = "0"
    return env


def manage(*args, env):
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_has_no_security_warning_with_the_documented_variables(tmp_path):
    env = {**documented_env(), "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}

    result = manage("check", "--deploy", env=env)

    output = result.stdout + result.stderr
    assert "security.W" not in output and "security.E" not in output, output


def test_without_the_variables_check_deploy_names_what_is_missing(tmp_path):
    result = manage("check", "--deploy", env={"DATABASE_URL": f"sqlite:///{tmp_path}/d.db"})

    output = result.stdout + result.stderr
    for warning in ("security.W004", "security.W008", "security.W009", "security.W012",
                    "security.W016"):
        assert warning in output


def test_production_logs_are_json_lines_on_stdout(tmp_path):
    env = {**documented_env(), "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    code = ("import django, logging; django.setup(); "
            "logging.getLogger('governance').warning('ready', extra={'job': 'x'})")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, env={**os.environ, **env,
                                                        "DJANGO_SETTINGS_MODULE":
                                                        "governance.settings"})
    line = result.stdout.strip().splitlines()[-1]
    entry = json.loads(line)
    assert entry["message"] == "ready" and entry["level"] == "WARNING" and entry["job"] == "x"


# ─── the built-in SECRET_KEY ─────────────────────────────────────────────────────────────
# Serving for real with DEBUG off refuses the built-in key; the embedded default does not.

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(command, env, port):
    """Start a server; (exit code or None if it serves /healthz, its output)."""
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    process = subprocess.Popen(command, cwd=ROOT, env={**base, **env}, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    return None, ""
            except OSError:
                time.sleep(0.2)
        if process.poll() is None:
            raise AssertionError("the server neither served nor exited within 60 s")
        return process.returncode, process.stdout.read()
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=20)


def gunicorn(port):
    return [sys.executable, "-m", "gunicorn", "governance.wsgi:application", "--bind",
            f"127.0.0.1:{port}", "--workers", "1"]


def test_gunicorn_with_debug_off_refuses_the_builtin_secret_key(tmp_path):
    port = free_port()
    env = {"DEBUG": "0", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}

    code, output = serve(gunicorn(port), env, port)

    assert code not in (None, 0), output
    assert "SECRET_KEY is not set" in output and "built-in key" in output
    # The same command with a key of its own serves.
    key = {"SECRET_KEY": secrets.token_urlsafe(50), "HTTPS": "0"}
    assert serve(gunicorn(port), {**env, **key}, port) == (None, "")


def test_check_deploy_refuses_the_builtin_secret_key(tmp_path):
    env = {"DEBUG": "0", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}

    result = manage("check", "--deploy", env=env)

    assert result.returncode != 0
    assert "governance.E001" in result.stderr and "SECRET_KEY is not set" in result.stderr
    with_key = manage("check", "--deploy", env={**env, **documented_env()})
    assert "governance.E001" not in with_key.stdout + with_key.stderr


def test_the_embedded_default_works_without_a_secret_key(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}  # DEBUG off, no SECRET_KEY
    migrated = manage("migrate", "--noinput", env=env)
    assert migrated.returncode == 0, migrated.stderr
    exported = manage("export_registry", "--format", "managed-mcp.json", env=env)
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout) == {"mcpServers": {}}
    # `make run`: runserver with DEBUG=1 comes through the same WSGI entry point, and serves.
    port = free_port()
    runserver = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    assert serve(runserver, {**env, "DEBUG": "1"}, port) == (None, "")


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("API_THROTTLE_USER", "600", "API_THROTTLE_USER='600' is not a number of calls per period"),
    ("CACHE_URL", "memcached://cache:11211", "CACHE_URL must be redis://"),
])
def test_a_malformed_credentials_setting_stops_the_start_naming_it(tmp_path, variable, value,
                                                                  message):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", variable: value}

    result = manage("check", env=env)

    assert result.returncode != 0 and message in result.stderr


@pytest.mark.parametrize("variable", [
    "REGISTRY_NAMESPACE", "REGISTRY_API_ACCESS", "MCP_PUBLIC_REGISTRY_URL", "UPSTREAM_NPM_URL",
    "UPSTREAM_PYPI_JSON_URL", "UPSTREAM_TIMEOUT", "UPSTREAM_MAX_BYTES",
    "UPSTREAM_FAILURES_BEFORE_NOTICE", "CAPABILITY_INSPECTION", "INSPECTION_TIMEOUT",
    "INSPECTION_MEMORY_MB",
])
def test_the_registry_and_watch_settings_reach_the_containers(variable):
    """An operator sets them in .env: docker compose passes on only what it names."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())

    assert variable in documented_env()
    assert variable in compose["x-portal"]["environment"]
