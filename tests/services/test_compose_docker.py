"""docker-compose.yml up for real: the portal's image built from the Dockerfile, two `web`
replicas, a worker and beat, on PostgreSQL and Redis containers; then the backup runbook
(dump, restore into a new PostgreSQL, migrate, a web container on it).

docker-compose.test.yml only points the file at local images (the public ones cannot be
pulled here) and gives each web replica a port of its own (PORT=0); docker/README.md says
what it builds. Needs a Docker engine and the local base images: `bash .ci/docker.sh`
(`make test-services` runs it). Without them these tests skip, except in CI (CI set), where
they fail: there the engine must be up."""

import concurrent.futures
import json
import os
import secrets
import shlex
import shutil
import subprocess
import time
import urllib.error
import urllib.request
import uuid

import pytest
import yaml

from .conftest import ROOT

pytestmark = [pytest.mark.services, pytest.mark.docker]

FILES = ["-f", "docker-compose.yml", "-f", "docker-compose.test.yml"]
BASE_IMAGES = ["mcp-portal-local/python:3.11", "mcp-portal-local/postgres:15",
               "mcp-portal-local/redis:7"]
EXPORT = "/api/v1/exports/latest/managed-settings.json"
EXPORT_FILES = ["mcp-registry.yaml", "managed-mcp.json", "managed-settings.json"]


def _unavailable(reason: str):
    message = f"{reason}: `bash .ci/docker.sh` installs and starts it (docker/README.md)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _compose_command() -> list[str]:
    """Debian's docker-compose (Compose v1), or the `docker compose` plugin where it is."""
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    plugin = subprocess.run(["docker", "compose", "version"], capture_output=True)
    if plugin.returncode == 0:
        return ["docker", "compose"]
    _unavailable("no docker-compose")


def _env_file(path) -> dict:
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


class Stack:
    """One compose project of its own (a name of its own, ports that Docker picks)."""

    def __init__(self, tmp):
        self.project = f"mcpportaltest{uuid.uuid4().hex[:8]}"
        self.compose_command = _compose_command()
        # .env.example as an operator fills it in; PORT=0: a free port for each replica.
        self.settings = _env_file(ROOT / ".env.example")
        self.settings.update(SECRET_KEY=secrets.token_urlsafe(50),
                             POSTGRES_PASSWORD=secrets.token_urlsafe(16), PORT="0",
                             WEB_WORKERS="2", WORKER_CONCURRENCY="1")
        self.env_file = tmp / "compose.env"
        self.env_file.write_text("".join(f"{k}={v}\n" for k, v in self.settings.items()))
        # The shell's variables would win over the env file: leave out those it sets.
        self.env = {k: v for k, v in os.environ.items() if k not in self.settings}
        self.host = self.settings["ALLOWED_HOSTS"].split(",")[0]
        self.ports: list[int] = []  # the two web replicas'
        self.token = ""  # an administrator's API token

    def compose(self, *args, timeout=300, check=True, input=None, profile=None):
        command = [*self.compose_command, "--env-file", str(self.env_file), "-p",
                   self.project, *FILES]
        if profile:
            command += ["--profile", profile]
        stdin = {"input": input} if input is not None else {"stdin": subprocess.DEVNULL}
        result = subprocess.run([*command, *args], cwd=ROOT, env=self.env, **stdin,
                                capture_output=True, timeout=timeout)
        if check and result.returncode != 0:
            pytest.fail(f"{shlex.join(args)} failed:\n{_text(result.stdout)}\n"
                        f"{_text(result.stderr)}\n{self.logs()}")
        return result

    def exec(self, service, *command, index=1, **kwargs):
        return self.compose("exec", "-T", "--index", str(index), service, *command, **kwargs)

    def shell(self, code: str, index=1) -> str:
        """Django's shell in a web replica; what the code prints last."""
        out = self.exec("web", "python", "manage.py", "shell", "-c", code, index=index)
        return _text(out.stdout).strip().splitlines()[-1]

    def containers(self) -> dict[str, list[str]]:
        """Each service's containers (names), from the engine."""
        out = subprocess.run(
            ["docker", "ps", "-a", "--filter", f"label=com.docker.compose.project={self.project}",
             "--format", '{{.Label "com.docker.compose.service"}} {{.Names}}'],
            capture_output=True, text=True, check=True)
        services = {}
        for line in out.stdout.splitlines():
            service, name = line.split()
            services.setdefault(service, []).append(name)
        return {service: sorted(names) for service, names in services.items()}

    def logs(self) -> str:
        command = [*self.compose_command, "--env-file", str(self.env_file), "-p",
                   self.project, *FILES, "logs", "--no-color", "--tail", "40"]
        out = subprocess.run(command, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
                             capture_output=True, timeout=60)
        return _text(out.stdout)[-12000:]

    def request(self, port, path, token=None, headers=None, data=None):
        """A request as the TLS proxy in front of web forwards it (a POST of `data` as JSON
        when it is given)."""
        headers = {"Host": self.host, "X-Forwarded-Proto": "https", **(headers or {})}
        if token:
            headers["Authorization"] = f"Token {token}"
        body = None
        if data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body,
                                         headers=headers)
        try:
            with urllib.request.build_opener(NoRedirect).open(request, timeout=15) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _text(data) -> str:
    return data.decode(errors="replace") if isinstance(data, bytes) else (data or "")


def _wait(predicate, timeout, what, stack=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what}\n{stack.logs() if stack else ''}")


def _ready(stack, port):
    try:
        return stack.request(port, "/readyz")[0] == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        _unavailable("no Docker engine")
    missing = [image for image in BASE_IMAGES
               if subprocess.run(["docker", "image", "inspect", image],
                                 capture_output=True).returncode != 0]
    if missing:
        _unavailable(f"the local base images {', '.join(missing)} are missing")
    stack = Stack(tmp_path_factory.mktemp("compose-docker"))
    try:
        stack.compose("build", "--force-rm", "web", timeout=1200)
        stack.compose("up", "-d", "--no-build", "--scale", "web=2", timeout=600)
        for index in (1, 2):
            port = stack.compose("port", "--index", str(index), "web", "8000")
            stack.ports.append(int(_text(port.stdout).strip().rsplit(":", 1)[1]))
        for port in stack.ports:
            _wait(lambda port=port: _ready(stack, port), 120, f"web on port {port}", stack)
        stack.token = stack.shell(
            "from django.contrib.auth import get_user_model\n"
            "from accounts import services\n"
            "user = get_user_model().objects.create_superuser("
            "'compose-admin', 'compose-admin@example.com', None)\n"
            # an API token as the token page makes it: its key is returned once
            "token, key = services.issue_token(user=user, name='compose test', days=1)\n"
            "print(key)")
        # The first export, built by the worker from a task sent through replica 2: before
        # any download, which would build it in the web process.
        stack.shell("from governance.celery import app\n"
                    "app.send_task('registry.build_export', kwargs={'cause': 'compose worker'})",
                    index=2)
        _wait(lambda: stack.request(stack.ports[0], "/api/v1/exports/",
                                    stack.token)[2].count(b'"cause"'),
              120, "the worker to build the first export", stack)
        yield stack
    finally:
        stack.compose("down", "--volumes", "--remove-orphans", "--timeout", "5",
                      profile="restore", check=False, timeout=300)


def test_two_web_replicas_a_worker_and_beat_run_on_postgres_and_redis(stack):
    containers = stack.containers()
    assert len(containers["web"]) == 2
    for service in ("postgres", "redis", "worker", "beat"):
        assert len(containers[service]) == 1, service
    migrate = subprocess.run(["docker", "inspect", "-f", "{{.State.ExitCode}}",
                              containers["migrate"][0]], capture_output=True, text=True)
    assert migrate.stdout.strip() == "0"


@pytest.mark.parametrize("service", ["postgres", "redis", "web", "worker", "beat"])
def test_each_container_passes_its_own_health_check(stack, service):
    """The health check of docker-compose.yml, run in each of the service's containers."""
    test = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][service][
        "healthcheck"]["test"]
    kind, *command = [part.replace("$$", "$") for part in test]
    if kind == "CMD-SHELL":
        command = ["sh", "-c", command[0]]
    for name in stack.containers()[service]:
        def healthy(name=name):
            return subprocess.run(["docker", "exec", name, *command], capture_output=True,
                                  timeout=60).returncode == 0
        _wait(healthy, 90, f"the health check of {name}", stack)


def test_the_portal_answers_on_both_replicas(stack):
    for port in stack.ports:
        code, _, body = stack.request(port, "/readyz")
        checks = json.loads(body)["checks"]
        assert code == 200
        assert checks["database"]["status"] == "ok" and checks["broker"]["status"] == "ok"
        code, _, body = stack.request(port, "/accounts/login/")
        assert code == 200 and b"<form" in body


def test_the_worker_built_the_export_from_a_task_sent_through_a_replica(stack):
    code, _, body = stack.request(stack.ports[0], "/api/v1/exports/", stack.token)
    assert code == 200
    assert "compose worker" in [export["cause"] for export in json.loads(body)["results"]]


def test_an_export_downloaded_from_either_replica_has_the_same_etag(stack):
    first, second = stack.ports
    code, headers, body = stack.request(first, EXPORT, stack.token)
    assert code == 200 and json.loads(body)
    code_2, headers_2, body_2 = stack.request(second, EXPORT, stack.token)
    assert code_2 == 200 and body_2 == body
    assert headers_2["ETag"] == headers["ETag"]
    # The ETag one node gave is current on the other: a hook may ask either.
    code, _, _ = stack.request(second, EXPORT, stack.token,
                               headers={"If-None-Match": headers["ETag"]})
    assert code == 304


def test_a_change_through_one_replica_is_served_by_the_other_at_once(stack):
    first, second = stack.ports
    before = stack.request(second, EXPORT, stack.token)[1]["ETag"]
    # The change: the demo registry imported through replica 1 (it builds the export).
    stack.exec("web", "python", "manage.py", "load_demo", index=1, timeout=300)
    code, headers, body = stack.request(second, EXPORT, stack.token)
    assert code == 200 and headers["ETag"] != before
    assert b"context7" in body  # a server of the demo registry
    assert stack.request(first, EXPORT, stack.token)[1]["ETag"] == headers["ETag"]


def _snapshot_ids(stack, port) -> set[int]:
    code, _, body = stack.request(port, "/api/v1/exports/?page_size=100", stack.token)
    assert code == 200
    return {export["id"] for export in json.loads(body)["results"]}


def test_a_change_through_the_api_of_one_replica_is_built_once_and_served_by_both(stack):
    """A revocation through replica 1's API: both replicas serve the new files at once, with
    the same ETag, and the snapshot is built once (an advisory lock in PostgreSQL), however
    many first downloads race for it on both nodes and whatever the worker does."""
    first, second = stack.ports
    security = stack.shell(
        "from django.contrib.auth import get_user_model\n"
        "from django.contrib.auth.models import Group\n"
        "from accounts import services\n"
        "from accounts.roles import Role\n"
        "user = get_user_model().objects.create_user("
        "'compose-security', 'compose-security@example.com', None)\n"
        "user.groups.add(Group.objects.get_or_create(name=Role.SECURITY_TEAM)[0])\n"
        "token, key = services.issue_token(user=user, name='compose security', days=1)\n"
        "print(key)")
    code, _, body = stack.request(first, "/api/v1/servers/context7/", stack.token)
    assert code == 200
    approval = json.loads(body)["active_approval"]["id"]
    before_etag = stack.request(second, EXPORT, stack.token)[1]["ETag"]
    before = _snapshot_ids(stack, first)

    code, _, body = stack.request(first, "/api/v1/servers/context7/revoke/", security,
                                  data={"approval": approval,
                                        "reason": "CVE-2026-0001 (compose test)"})
    assert code == 200, body
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda port: stack.request(port, EXPORT, stack.token),
                                [second, first] * 3))
    assert [code for code, _, _ in answers] == [200] * 6
    etags = {headers["ETag"] for _, headers, _ in answers}
    assert len(etags) == 1 and etags != {before_etag}
    assert len({body for _, _, body in answers}) == 1

    # The worker's queued build finds the files current and adds nothing.
    time.sleep(5)
    new = _snapshot_ids(stack, second) - before
    assert len(new) == 1, f"snapshots built for one change: {sorted(new)}"
    assert _snapshot_ids(stack, first) - before == new


def test_a_restored_backup_serves_the_same_files_with_the_same_etags(stack):
    """The runbook (docker/README.md): dump the database, restore it into a new PostgreSQL,
    migrate it (the upgrade step), point a web container at it: the same files, the same
    ETags, and the API tokens still work."""
    originals = {name: stack.request(stack.ports[0], f"/api/v1/exports/latest/{name}",
                                     stack.token) for name in EXPORT_FILES}
    assert all(code == 200 for code, _, _ in originals.values())
    dump = stack.exec("postgres", "sh", "-c",
                      'pg_dump -U "$POSTGRES_USER" -d "$POSTGRES_DB" --format=custom')
    assert dump.stdout.startswith(b"PGDMP")

    stack.compose("up", "-d", "--no-build", "postgres-restored", profile="restore")
    _wait(lambda: stack.exec("postgres-restored", "sh", "-c",
                             'pg_isready -U "$POSTGRES_USER" -d "$POSTGRES_DB"',
                             profile="restore", check=False).returncode == 0,
          60, "the new PostgreSQL", stack)
    stack.exec("postgres-restored", "sh", "-c",
               'pg_restore -U "$POSTGRES_USER" -d "$POSTGRES_DB" --exit-on-error --no-owner',
               input=dump.stdout, profile="restore")

    settings = stack.settings
    restored = (f"postgres://{settings['POSTGRES_USER']}:{settings['POSTGRES_PASSWORD']}"
                f"@postgres-restored:5432/{settings['POSTGRES_DB']}")
    migrate = stack.compose("run", "--rm", "--no-deps", "-e", f"DATABASE_URL={restored}",
                            "migrate", profile="restore")
    assert b"No migrations to apply." in migrate.stdout
    web = stack.compose("run", "-d", "--no-deps", "--service-ports", "-e",
                        f"DATABASE_URL={restored}", "web", profile="restore")
    container = _text(web.stdout).strip().splitlines()[-1]
    published = subprocess.run(["docker", "port", container, "8000"], capture_output=True,
                               text=True, check=True).stdout.splitlines()[0]
    port = int(published.rsplit(":", 1)[1])
    _wait(lambda: _ready(stack, port), 120, "web on the restored database", stack)

    for name, (_, headers, body) in originals.items():
        code, restored_headers, restored_body = stack.request(
            port, f"/api/v1/exports/latest/{name}", stack.token)
        assert code == 200, name
        assert restored_headers["ETag"] == headers["ETag"] and restored_body == body, name
