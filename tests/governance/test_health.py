"""/healthz answers while the process lives; /readyz says whether it can serve."""

import socket

import pytest

from governance.celery import app


def test_healthz_answers_without_a_sign_in(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_reports_the_database_and_the_in_process_broker(client, db):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["broker"]["status"].startswith("in-process")


@pytest.fixture
def unreachable_broker():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    saved = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, f"redis://127.0.0.1:{port}/0"
    yield
    app.conf.task_always_eager, app.conf.broker_url = saved


def test_readyz_is_unavailable_while_the_broker_is_down(client, db, unreachable_broker):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503 and body["status"] == "unavailable"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["broker"]["status"].startswith("error:")
