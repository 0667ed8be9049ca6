"""DATABASE_PREPARE_THRESHOLD: how many runs on a PostgreSQL connection before psycopg
prepares the hot reads (governance.compiled); `off` for a pooler in transaction mode; any
other value refused at start with the variable named."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def started_with(threshold: str | None) -> subprocess.CompletedProcess:
    code = ("import json; from django.conf import settings; "
            "print(json.dumps(settings.DATABASES['default']['OPTIONS'].get("
            "'prepare_threshold', 'unset')))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "governance.settings",
           "DATABASE_URL": "postgres://portal@db.example:5432/portal"}
    env.pop("DATABASE_PREPARE_THRESHOLD", None)
    if threshold is not None:
        env["DATABASE_PREPARE_THRESHOLD"] = threshold
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("threshold", "expected"), [(None, 5), ("0", 0), ("12", 12),
                                                     ("off", None)])
def test_the_threshold_reaches_psycopg(threshold, expected):
    result = started_with(threshold)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == expected


@pytest.mark.parametrize("threshold", ["five", "-1", "2.5"])
def test_a_threshold_that_is_no_number_is_refused_naming_the_variable(threshold):
    result = started_with(threshold)
    assert result.returncode != 0
    assert "DATABASE_PREPARE_THRESHOLD" in result.stderr and "whole number" in result.stderr
