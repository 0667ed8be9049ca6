"""Production settings: with the variables .env.example documents, `check --deploy` has no
security warning; the embedded default stays plain HTTP for `make run` and the tests."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

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
