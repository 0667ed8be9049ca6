"""docker-compose.yml is what runs: each service's command and environment, read from the
file and interpolated with .env.example, runs natively against the local PostgreSQL and
Redis (there is no Docker engine here). Only the addresses are the test's own: the test
database, the local Redis with a queue of this run, and 127.0.0.1 with a free port."""

import json
import os
import re
import secrets
import shlex
import socket
import subprocess
import sys
import urllib.error
import urllib.request
import uuid

import pytest
import yaml
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from governance.celery import app
from governance.models import Organisation
from notifications.models import Notification
from registry.models import ExportSnapshot

from .conftest import ROOT, broker_url, celery_broker, database_url, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


def interpolate(value: str, env: dict) -> str:
    """Compose's variable syntax: ${VAR}, ${VAR:-default}, ${VAR:?message}, $$."""
    def replace(match):
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.groups()
        current = env.get(name)
        if op in (":-", "-"):
            return current if current or (op == "-" and current is not None) else arg
        if op in (":?", "?") and not current:
            raise AssertionError(f"compose needs {name}: {arg}")
        return current or ""
    return VARIABLE.sub(replace, value)


def env_file(path) -> dict:
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def operator_env():
    """.env.example as an operator fills it in."""
    env = env_file(ROOT / ".env.example")
    env.update(SECRET_KEY=secrets.token_urlsafe(50), POSTGRES_PASSWORD="unused-natively",
               WEB_WORKERS="2", WORKER_CONCURRENCY="1")
    return env


def service(compose, name, operator_env, **addresses):
    spec = compose["services"][name]
    command = [interpolate(str(part), operator_env) for part in spec["command"]]
    env = {key: interpolate(str(value), operator_env)
           for key, value in (spec.get("environment") or {}).items()}
    return command, env


def native(command, replacements):
    out = []
    for part in command:
        part = sys.executable if part == "python" else part
        for old, new in replacements.items():
            part = part.replace(old, new)
        out.append(part)
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dockerfile_step(word: str) -> tuple[dict, list[str]]:
    """The environment and command of the Dockerfile's RUN step that runs `word`."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith("RUN") and word in line)
    tokens = shlex.split(line[len("RUN"):])
    env = {}
    while "=" in tokens[0] and not tokens[0].startswith("-"):
        key, _, value = tokens.pop(0).partition("=")
        env[key] = value
    return env, tokens


class Stack:
    def __init__(self, compose, operator_env, db_url, broker, tmp):
        self.queue = f"compose-test-{uuid.uuid4().hex[:10]}"
        self.port = free_port()
        self.tmp = tmp
        self.replacements = {"0.0.0.0:8000": f"127.0.0.1:{self.port}",
                             "127.0.0.1:8000": f"127.0.0.1:{self.port}",
                             "/tmp/celerybeat.pid": str(tmp / "celerybeat.pid")}
        base = {k: v for k, v in os.environ.items()
                if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")}
        self.hostname = socket.gethostname()
        self.envs, self.commands, self.processes = {}, {}, {}
        for name in ("migrate", "web", "worker", "beat"):
            command, env = service(compose, name, operator_env)
            assert env["DATABASE_URL"].startswith("postgres://portal:unused-natively@postgres")
            assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"
            assert env["CACHE_URL"] == "redis://redis:6379/1"
            env.update(DATABASE_URL=db_url, CELERY_BROKER_URL=broker, CACHE_URL=broker,
                       CELERY_TASK_DEFAULT_QUEUE=self.queue, HOSTNAME=self.hostname,
                       STATIC_ROOT=str(tmp / "static"))
            self.envs[name] = {**base, **env}
            self.commands[name] = native(command, self.replacements)
        self.operator_env = operator_env

    def run(self, name, timeout=120):
        return subprocess.run(self.commands[name], cwd=ROOT, env=self.envs[name],
                              capture_output=True, text=True, timeout=timeout)

    def start(self, name):
        log = (self.tmp / f"{name}.log").open("w")
        self.processes[name] = subprocess.Popen(
            self.commands[name], cwd=ROOT, env=self.envs[name], stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)

    def output(self, name):
        return (self.tmp / f"{name}.log").read_text()

    def healthcheck(self, compose, name):
        test = compose["services"][name]["healthcheck"]["test"]
        parts = [interpolate(str(p), self.operator_env) for p in test[1:]]
        if test[0] == "CMD-SHELL":
            shell = parts[0].replace("python ", f"{shlex.quote(sys.executable)} ", 1)
            for old, new in self.replacements.items():
                shell = shell.replace(old, new)
            command = ["sh", "-c", shell]
        else:
            command = native(parts, self.replacements)
        return subprocess.run(command, cwd=ROOT, env=self.envs[name], capture_output=True,
                              text=True, timeout=60)

    def stop(self):
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@pytest.fixture(scope="module")
def stack(compose, operator_env, django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        db_url = database_url()
    stack = Stack(compose, operator_env, db_url, broker_url(),
                  tmp_path_factory.mktemp("compose"))
    # The image's build step collects the static files (here into a folder of the test's).
    build_env, command = dockerfile_step("collectstatic")
    collected = subprocess.run(native(command, {}), cwd=ROOT, capture_output=True, text=True,
                               env={**stack.envs["web"], **build_env}, timeout=120)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    try:
        for name in ("web", "worker", "beat"):
            stack.start(name)
        yield stack
    finally:
        stack.stop()


def get(stack, path, host=None, scheme="http"):
    """A request as the TLS proxy forwards it (scheme https) or as a health check does."""
    headers = {"Host": host or stack.operator_env["ALLOWED_HOSTS"].split(",")[0]}
    if scheme == "https":
        headers["X-Forwarded-Proto"] = "https"
    request = urllib.request.Request(f"http://127.0.0.1:{stack.port}{path}", headers=headers)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(request, timeout=5)
        return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_compose_has_the_production_shape(compose):
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("postgres", "redis", "web", "worker", "beat"):
        assert services[name]["healthcheck"]["test"], name
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    for name in ("web", "worker", "beat"):
        assert services[name]["build"] == "." and services[name]["environment"]["SECRET_KEY"]


def test_the_migrate_service_brings_the_database_up_to_date(stack):
    migrate = stack.run("migrate")
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    assert "No migrations to apply." in migrate.stdout


def test_gunicorn_answers_readyz_and_sends_everything_else_to_https(stack, compose):
    status = wait_for(lambda: _ready(stack), timeout=60, what="gunicorn")
    assert status == 200, stack.output("web")
    code, _headers, body = get(stack, "/readyz")
    checks = json.loads(body)["checks"]
    assert code == 200 and checks["database"]["status"] == "ok"
    assert checks["broker"]["status"] == "ok"
    code, headers, _ = get(stack, "/catalog")
    assert code == 301 and headers["Location"].startswith("https://")
    health = stack.healthcheck(compose, "web")
    assert health.returncode == 0, health.stderr


def test_pages_use_the_collected_static_files_served_by_whitenoise_over_https(stack):
    wait_for(lambda: _ready(stack) == 200, timeout=60, what="gunicorn")
    manifest = json.loads((stack.tmp / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["portal.css"]
    code, headers, body = get(stack, f"/static/{hashed}", scheme="https")
    assert code == 200 and body == (ROOT / "static" / "portal.css").read_bytes()
    assert "immutable" in headers["Cache-Control"]
    code, headers, body = get(stack, "/accounts/login/", scheme="https")
    assert code == 200 and f"/static/{hashed}".encode() in body
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert "Secure" in headers["Set-Cookie"]


def _ready(stack):
    try:
        return get(stack, "/readyz")[0]
    except OSError:
        return None


def test_the_worker_runs_a_task(stack, compose):
    with celery_broker(stack.envs["worker"]["CELERY_BROKER_URL"], stack.queue, results=False):
        app.send_task("registry.build_export", kwargs={"cause": "compose worker"})
    wait_for(lambda: ExportSnapshot.objects.filter(cause="compose worker").exists(),
             timeout=60, what=f"the worker:\n{stack.output('worker')}")
    health = stack.healthcheck(compose, "worker")
    assert health.returncode == 0, health.stdout + health.stderr
    lines = [json.loads(line) for line in stack.output("worker").splitlines()
             if line.startswith("{")]
    assert any(entry["logger"] == "celery.app.trace" for entry in lines)


def test_beat_schedules_a_job(stack, compose):
    organisation = Organisation.load()
    organisation.next_review = timezone.localdate()
    organisation.save()
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period="seconds")
    PeriodicTask.objects.create(name="compose test: review reminder", interval=every_second,
                                task="governance.review_cycle_reminder")

    def reminded():
        # As the admin does on saving: beat reloads the schedule when this mark moves. Moved
        # on every poll, as beat may have first looked while the previous test emptied it.
        PeriodicTasks.update_changed()
        return Notification.objects.filter(kind="review_cycle").exists()

    wait_for(reminded, timeout=60, what=f"beat and the worker:\n{stack.output('beat')}")
    assert Notification.objects.filter(kind="review_cycle").count() == 1
    health = stack.healthcheck(compose, "beat")
    assert health.returncode == 0, health.stderr

