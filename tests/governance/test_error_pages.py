"""With DEBUG off nothing answers a traceback: an unexpected error is a clear page (or the
API's JSON under /api/), and a database out of reach answers 503 with Retry-After while
/healthz (liveness) stays 200 and /readyz says what is down."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.test import Client
from django.urls import path

from governance import urls as portal_urls

ROOT = Path(__file__).resolve().parents[2]


# ─── an unexpected error (this module is the URLconf of the first tests) ─────────────


def broken_view(request):
    raise RuntimeError("an unexpected bug")


handler500 = portal_urls.handler500
urlpatterns = [path("broken/", broken_view), path("api/v1/broken/", broken_view),
               *portal_urls.urlpatterns]


@pytest.fixture
def broken(settings, db):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def test_an_unexpected_error_on_a_page_is_a_clear_500_page(broken):
    response = broken.get("/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Server error</h1>" in html
    assert "Something went wrong on our side and it has been logged." in html
    assert "an unexpected bug" not in html and "Traceback" not in html
    assert 'href="/static/portal.css"' in html  # the portal's own layout
    assert "Retry-After" not in response


def test_an_unexpected_error_in_the_api_is_json_500(broken):
    response = broken.get("/api/v1/broken/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["errors"] == {} and "Something went wrong" in body["detail"]
    assert "an unexpected bug" not in response.content.decode()


# ─── the database out of reach, on a real server ─────────────────────────────────────


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, headers=None):
    """(status, headers, body) without raising for an error status."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read().decode()


@pytest.fixture(scope="module")
def portal_without_database(tmp_path_factory):
    """gunicorn, DEBUG off, with DATABASE_URL pointing at a port where nothing listens."""
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    env = {**os.environ,
           "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/mcp_governance",
           "SECRET_KEY": "test-only-" + "x" * 50, "DEBUG": "0", "HTTPS": "0",
           "ALLOWED_HOSTS": "127.0.0.1", "STATIC_MANIFEST": "0", "LOG_FORMAT": "plain"}
    env.pop("CELERY_BROKER_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "governance.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "1", "--timeout", "30"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"gunicorn stopped:\n{log.read_text()}")
            try:
                if fetch(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def test_liveness_stays_up_and_readiness_says_the_database_is_down(portal_without_database):
    assert fetch(f"{portal_without_database}/healthz")[0] == 200
    status, _, body = fetch(f"{portal_without_database}/readyz")
    assert status == 503
    checks = json.loads(body)["checks"]
    assert checks["database"]["status"].startswith("error: OperationalError")


@pytest.mark.parametrize("path", ["/api/v1/servers/", "/api/v1/requests/", "/api/v1/check"])
def test_the_api_answers_json_503_with_retry_after(portal_without_database, path):
    status, headers, body = fetch(f"{portal_without_database}{path}",
                                  {"Authorization": "Token " + "a" * 40})
    assert status == 503
    assert headers["Content-Type"] == "application/json"
    assert headers["Retry-After"] == "30"
    assert json.loads(body) == {
        "detail": "The portal cannot reach its database just now. Try again in a minute.",
        "errors": {}}


@pytest.mark.parametrize("path", ["/", "/servers/context7/", "/requests/1/", "/queue/"])
def test_pages_answer_a_clear_503_page(portal_without_database, path):
    status, headers, body = fetch(f"{portal_without_database}{path}",
                                  {"Cookie": "sessionid=abcdefghijklmnopqrstuvwxyz012345"})
    assert status == 503
    assert headers["Content-Type"].startswith("text/html")
    assert headers["Retry-After"] == "30"
    assert "<h1>Temporarily unavailable</h1>" in body
    assert "cannot reach its database just now" in body
    assert "Traceback" not in body and "OperationalError" not in body
    assert "Server Error (500)" not in body
