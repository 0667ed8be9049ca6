"""A real Celery worker on the local Redis, against the PostgreSQL test database.

Tests here are marked `services` and run in CI by `make test-services`, which sets
DATABASE_URL to the local PostgreSQL and CELERY_BROKER_URL_FOR_TESTS to the local Redis.
Each session uses a queue of its own, so workers of other runs on the same Redis never take
its tasks. The worker mails to files and posts to a chat webhook on 127.0.0.1."""

from __future__ import annotations

import email
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from governance.celery import app

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PORTAL = "http://portal.test"


def broker_url() -> str:
    url = os.environ.get("CELERY_BROKER_URL_FOR_TESTS")
    if not url:
        pytest.fail("services tests need CELERY_BROKER_URL_FOR_TESTS (the local Redis); "
                    "run them with `make test-services`")
    return url


def database_url() -> str:
    """The URL of the test database this session created, for the processes it starts."""
    if connection.vendor != "postgresql":
        pytest.fail("services tests need PostgreSQL (DATABASE_URL); run `make test-services`")
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return (f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
            f"{db['NAME']}")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def celery_broker(url: str, queue: str, results: bool = True):
    """Send this process's tasks to `url` (not in-process), results read from the same
    (as production, without results: the web process never waits for a task)."""
    keys = ("task_always_eager", "broker_url", "result_backend", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}

    def reset():
        app._pool = None  # kombu keeps one pool per broker URL; take the one for `url`
        app.amqp._producer_pool = None
        app._local.__dict__.pop("backend", None)

    reset()
    app.conf.update(task_always_eager=False, broker_url=url,
                    result_backend=url if results else None, task_default_queue=queue)
    try:
        yield
    finally:
        reset()
        app.conf.update(saved)


class Webhook:
    """A Slack-compatible webhook on 127.0.0.1 that keeps what it receives."""

    def __init__(self):
        self.received: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append(json.loads(body))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def texts(self) -> list[str]:
        return [payload["text"] for payload in self.received]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    """The worker's mail, written by Django's file backend."""

    def __init__(self, path: Path):
        self.path = path
        path.mkdir(parents=True, exist_ok=True)

    def messages(self) -> list[email.message.Message]:
        out = []
        for file in sorted(self.path.glob("*.log")):
            for chunk in file.read_text().split("-" * 79 + "\n"):
                if chunk.strip():
                    out.append(email.message_from_string(chunk))
        return out

    def subjects(self, to: str | None = None) -> list[str]:
        return [str(email.header.make_header(email.header.decode_header(m["Subject"])))
                .replace("\n", "") for m in self.messages() if to is None or to in m["To"]]

    def clear(self):
        for file in self.path.glob("*.log"):
            file.unlink()


class Worker:
    def __init__(self, env: dict, log: Path):
        self.log = log
        self.process = subprocess.Popen(
            [str(BIN / "celery"), "-A", "governance", "worker", "-P", "solo", "-Q",
             env["CELERY_TASK_DEFAULT_QUEUE"], "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-l", "INFO", "-n", f"jobs-test-{uuid.uuid4().hex[:6]}@%h"],
            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


@pytest.fixture(scope="session")
def job_queue():
    return f"jobs-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def services(django_db_setup, django_db_blocker, tmp_path_factory, job_queue):
    """A worker on the real broker and the test database, its mailbox and chat webhook.
    One per test: a transactional test's flush gives the content types new ids, and a
    worker that outlived it would write audit entries with the old ones."""
    with django_db_blocker.unblock():
        db_url = database_url()
    url = broker_url()
    folder = tmp_path_factory.mktemp("worker")
    mailbox, webhook = Mailbox(folder / "mail"), Webhook()
    env = {**os.environ, "DATABASE_URL": db_url, "CELERY_BROKER_URL": url,
           "CELERY_RESULT_BACKEND": url, "CELERY_TASK_DEFAULT_QUEUE": job_queue,
           "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
           "EMAIL_FILE_PATH": str(mailbox.path), "NOTIFY_WEBHOOK_URL": webhook.url,
           "PORTAL_BASE_URL": PORTAL, "DATABASE_CONN_MAX_AGE": "0", "LOG_FORMAT": "plain"}
    env.pop("SECRET_KEY", None)
    worker = Worker(env, folder / "worker.log")
    try:
        with celery_broker(url, job_queue):
            # The worker is ready when it has run a task.
            deadline = time.monotonic() + 60
            result = app.send_task("approvals.deliver_notifications")
            while True:
                if worker.process.poll() is not None:
                    pytest.fail(f"the worker stopped:\n{worker.output()}")
                try:
                    result.get(timeout=2)
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        pytest.fail(f"the worker did not start:\n{worker.output()}")
        yield type("Services", (), {"worker": worker, "mailbox": mailbox, "webhook": webhook,
                                    "broker": url, "queue": job_queue})
    finally:
        worker.stop()
        webhook.close()


@pytest.fixture
def live(services, transactional_db):
    """The services, with this process's tasks going to the worker and a fresh inbox."""
    services.mailbox.clear()
    services.webhook.received.clear()
    with celery_broker(services.broker, services.queue):
        yield services


def run(task_name: str, **kwargs):
    """Queue a job as beat would and wait (bounded) for the worker to finish it."""
    return app.send_task(task_name, kwargs=kwargs).get(timeout=60)


def drain():
    """Wait until the worker has done everything queued before now (it runs in order)."""
    return run("approvals.deliver_notifications")


def wait_for(predicate, timeout=30, what="the worker"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


# The OpenID Connect provider on Node (tests/servers/oidc_provider.py).
from tests.servers.oidc_provider import oidc_portal, oidc_provider  # noqa: E402, F401
