"""The upstream release watch (issue 13, section 3): the registries' documents read as pure
functions (PyPI's JSON in its recorded shape: pypiserver cannot yank), and the watch against
a real HTTP server on a local port that answers what a broken registry answers (404, 500,
garbage, nothing in time). The live npm (Verdaccio) and PyPI (pypiserver) runs are in
test_upstream_watch_live.py (marked services)."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail

from accounts import identity
from governance.celery import app
from governance.policy.versions import repin_args
from notifications.models import Notification
from registry import upstream, upstream_watch
from registry.models import UpstreamCheck, UpstreamRelease
from tests.factories import ApprovalFactory, UserFactory

# ─── the documents, as pure functions ───────────────────────────────────────────────

# The shape of PyPI's JSON API (`/pypi/<name>/json`), trimmed to what the watch reads.
PYPI_DOCUMENT = {
    "info": {"name": "mcp-server-fetch", "version": "1.3.0", "yanked": False},
    "releases": {
        "1.2.0": [{"filename": "mcp_server_fetch-1.2.0-py3-none-any.whl",
                   "upload_time_iso_8601": "2026-01-10T09:00:00.000000Z", "yanked": True,
                   "yanked_reason": "Leaks the proxy password in logs"},
                  {"filename": "mcp_server_fetch-1.2.0.tar.gz",
                   "upload_time_iso_8601": "2026-01-10T09:01:00.000000Z", "yanked": True,
                   "yanked_reason": "Leaks the proxy password in logs"}],
        "1.2.1": [{"filename": "mcp_server_fetch-1.2.1.tar.gz",
                   "upload_time_iso_8601": "2026-02-01T12:00:00.000000Z", "yanked": False,
                   "yanked_reason": None}],
        "1.3.0": [{"filename": "mcp_server_fetch-1.3.0.tar.gz",
                   "upload_time_iso_8601": "2026-03-02T08:30:00.000000Z", "yanked": False,
                   "yanked_reason": None}],
        "2.0.0rc1": [{"filename": "mcp_server_fetch-2.0.0rc1.tar.gz",
                      "upload_time_iso_8601": "2026-03-20T08:30:00.000000Z", "yanked": False,
                      "yanked_reason": None}],
    },
}

NPM_DOCUMENT = {
    "name": "@acme/mcp-docs",
    "dist-tags": {"latest": "2.0.0"},
    "versions": {"1.0.0": {"version": "1.0.0", "deprecated": "Security issue, use 1.0.1"},
                 "1.0.1": {"version": "1.0.1"}, "2.0.0": {"version": "2.0.0"}},
    "time": {"created": "2026-01-01T00:00:00.000Z", "1.0.0": "2026-01-01T00:00:00.000Z",
             "1.0.1": "2026-01-05T00:00:00.000Z", "2.0.0": "2026-02-01T10:00:00.000Z"},
}


def test_pypi_release_with_all_files_yanked_is_withdrawn_with_its_reason():
    releases = upstream.parse_pypi(PYPI_DOCUMENT)

    assert releases["1.2.0"].withdrawn == "yanked on PyPI: Leaks the proxy password in logs"
    assert releases["1.3.0"].withdrawn == ""
    assert releases["1.3.0"].released_at == dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)


def test_newest_update_skips_pre_releases_and_classifies_the_bump():
    update = upstream.newest_update("1.2.0", upstream.parse_pypi(PYPI_DOCUMENT))

    assert update.release.version == "1.3.0"
    assert update.level == "minor"


def test_npm_deprecated_release_and_release_dates():
    releases = upstream.parse_npm(NPM_DOCUMENT)

    assert upstream.approved_withdrawn("1.0.0", releases) == \
        "deprecated on npm: Security issue, use 1.0.1"
    assert upstream.approved_withdrawn("1.0.1", releases) == ""
    update = upstream.newest_update("1.0.1", releases)
    assert (update.release.version, update.level) == ("2.0.0", "major")
    assert update.release.released_at == dt.datetime(2026, 2, 1, 10, tzinfo=dt.UTC)


def test_a_version_the_registry_no_longer_lists_is_withdrawn():
    assert "no longer published" in upstream.approved_withdrawn(
        "0.9.0", upstream.parse_npm(NPM_DOCUMENT))
    assert upstream.parse_npm({"name": "x", "time": {"unpublished": {"time": "2026-01-01"}}}) \
        == {}


@pytest.mark.parametrize("parse, document, says", [
    (upstream.parse_npm, [], "not a package document"),
    (upstream.parse_npm, {"name": "x"}, "no 'versions' object"),
    (upstream.parse_pypi, {"info": {}}, "without a 'releases' object"),
    (upstream.parse_pypi, "<html>", "without a 'releases' object"),
])
def test_documents_of_another_shape_are_refused_with_a_message(parse, document, says):
    with pytest.raises(upstream.UpstreamError, match=says):
        parse(document)


def test_repin_moves_only_the_packages_pin():
    args = ["-y", "@acme/mcp-docs@1.0.1", "--root=/srv/1.0.1"]

    assert repin_args(args, "@acme/mcp-docs", "1.0.1", "2.0.0") == [
        "-y", "@acme/mcp-docs@2.0.0", "--root=/srv/1.0.1"]
    assert repin_args(["mcp-server-fetch==1.2.0"], "mcp-server-fetch", "1.2.0", "1.3.0") == [
        "mcp-server-fetch==1.3.0"]


# ─── the watch, against a real HTTP server on a local port ──────────────────────────


DRIP = "drip"  # a delay that sends the answer a byte at a time, each well inside the timeout


class _Registry(BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):  # noqa: N802 (http.server's name)
        status, body, delay = self.routes.get(self.path, (404, b'{"error":"Not found"}', 0))
        if delay == DRIP:
            self._drip(status, body)
            return
        if delay:
            time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def _drip(self, status, body):
        answer = (f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        try:
            for i in range(len(answer)):
                self.wfile.write(answer[i:i + 1])
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:  # the client hung up
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def registry_server(settings):
    """A local HTTP server; `routes[path] = (status, body bytes, seconds before answering)`."""
    handler = type("Handler", (_Registry,), {"routes": {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.UPSTREAM_NPM_URL = f"{base}/npm"
    settings.UPSTREAM_PYPI_JSON_URL = f"{base}/pypi/{{package}}/json"
    settings.UPSTREAM_TIMEOUT = 0.5
    settings.UPSTREAM_FAILURES_BEFORE_NOTICE = 3
    yield handler.routes
    server.shutdown()
    server.server_close()


@pytest.fixture
def fetch_approval(db, developer):
    return ApprovalFactory(server__name="fetch", server__package_registry="pypi",
                           server__package="mcp-server-fetch", version="1.2.0",
                           owner=developer,
                           config={"command": "uvx", "args": ["mcp-server-fetch==1.2.0"]})


def serve_pypi(routes, document=PYPI_DOCUMENT):
    routes["/pypi/mcp-server-fetch/json"] = (200, json.dumps(document).encode(), 0)


def test_watch_records_the_update_and_tells_the_owner_once(
        registry_server, fetch_approval, developer, security, django_capture_on_commit_callbacks):
    serve_pypi(registry_server)

    with django_capture_on_commit_callbacks(execute=True):
        first = upstream_watch.watch_upstream_releases()
    with django_capture_on_commit_callbacks(execute=True):
        second = upstream_watch.watch_upstream_releases()

    update = UpstreamRelease.objects.get(kind="update")
    assert (update.version, update.level) == ("1.3.0", "minor")
    assert update.released_at == dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)
    told = Notification.objects.get(kind="upstream_update")
    assert list(told.recipients.values_list("username", flat=True)) == ["dev"]
    assert "version=1.3.0" in told.body and "kind=version_bump" in told.body
    assert (first.updates, second.updates) == (1, 0)
    assert Notification.objects.filter(kind="upstream_update").count() == 1
    assert any("Update available: fetch 1.3.0" in m.subject for m in mail.outbox)


def test_yanked_approved_release_is_flagged_to_the_security_team_at_once(
        registry_server, fetch_approval, security):
    serve_pypi(registry_server)

    upstream_watch.watch_upstream_releases()

    flagged = UpstreamRelease.objects.get(kind="withdrawn")
    assert flagged.version == "1.2.0"
    assert "yanked on PyPI: Leaks the proxy password" in flagged.detail
    notice = Notification.objects.get(kind="upstream_withdrawn")
    assert list(notice.recipients.all()) == [security]
    assert notice.to_chat


def test_without_a_named_owner_the_requester_is_told(registry_server, file, approve,
                                                     developer):
    approval = approve(file(
        server_name="fetch", package_registry="pypi", package="mcp-server-fetch",
        version="1.2.0", config={"command": "uvx", "args": ["mcp-server-fetch==1.2.0"]},
    )).resulting_approval
    serve_pypi(registry_server)

    upstream_watch.watch_upstream_releases()

    assert approval.owner == developer
    told = Notification.objects.get(kind="upstream_update")
    assert list(told.recipients.all()) == [developer]


def test_when_the_owner_has_left_the_security_team_is_told(registry_server, fetch_approval,
                                                          developer, security):
    identity.deactivate_user(user=developer, reason="left the company")
    serve_pypi(registry_server)

    upstream_watch.watch_upstream_releases()

    told = Notification.objects.get(kind="upstream_update")
    assert list(told.recipients.all()) == [security]


@pytest.mark.parametrize("answer, says", [
    ((404, b'{"error":"Not found"}', 0), "answered 404: the registry does not know"),
    ((500, b"Internal Server Error", 0), "answered HTTP 500"),
    ((200, b"<html>maintenance</html>", 0), "not JSON"),
    ((200, b"[" * 100_000 + b"]" * 100_000, 0), "not JSON"),
    ((200, b'{"releases": "none"}', 0), "without a 'releases' object"),
    ((200, b"{}", 2), "did not answer within 0.5 s"),
    # Each byte in time, the whole answer not: the timeout bounds the fetch.
    ((200, json.dumps(PYPI_DOCUMENT).encode(), DRIP), "did not answer within 0.5 s"),
])
def test_a_broken_registry_is_logged_counted_and_writes_no_finding(
        registry_server, fetch_approval, answer, says, caplog):
    registry_server["/pypi/mcp-server-fetch/json"] = answer

    report = upstream_watch.watch_upstream_releases()

    assert len(report.failed) == 1 and says in report.failed[0]
    assert says in caplog.text
    assert not UpstreamRelease.objects.exists()
    check = UpstreamCheck.objects.get(package="mcp-server-fetch")
    assert check.failures == 1 and says in check.last_error
    assert check.succeeded_at is None


def test_a_fetch_takes_at_most_its_timeout_however_the_registry_answers(registry_server):
    registry_server["/npm/slow"] = (200, b'{"name": "slow", "versions": {}}' * 50, DRIP)
    started = time.monotonic()

    with pytest.raises(upstream.UpstreamError, match="did not answer within 0.5 s"):
        upstream_watch.fetch_json(upstream_watch.package_url("npm", "slow"))

    assert time.monotonic() - started < 1.5


def test_administrators_hear_of_repeated_failures_once_per_spell(
        registry_server, fetch_approval, admin_user, platform):
    for _ in range(4):
        upstream_watch.watch_upstream_releases()
    serve_pypi(registry_server)
    upstream_watch.watch_upstream_releases()

    notices = Notification.objects.filter(kind="upstream_failing")
    assert notices.count() == 1
    assert set(notices.get().recipients.all()) == {admin_user, platform}
    check = UpstreamCheck.objects.get(package="mcp-server-fetch")
    assert check.failures == 0 and check.succeeded_at is not None


def test_an_unreachable_registry_is_a_failure_not_a_crash(settings, fetch_approval):
    settings.UPSTREAM_PYPI_JSON_URL = "http://127.0.0.1:9/pypi/{package}/json"

    report = upstream_watch.watch_upstream_releases()

    assert "could not be reached" in report.failed[0]


def test_an_unconfigured_registry_is_not_watched(settings, fetch_approval):
    settings.UPSTREAM_PYPI_JSON_URL = ""

    report = upstream_watch.watch_upstream_releases()

    assert report.packages == 0 and report.skipped == ["pypi:mcp-server-fetch"]
    assert not UpstreamCheck.objects.exists()


def test_the_beat_task_runs_the_watch(registry_server, fetch_approval):
    serve_pypi(registry_server)

    result = app.signature("registry.watch_upstream_releases").delay().get()

    assert result["updates"] == 1 and result["withdrawn"] == 1 and result["failed"] == []


# ─── what people see: the catalog, the server page, the one-click bump ───────────────


@pytest.fixture
def found_update(fetch_approval):
    return UpstreamRelease.objects.create(
        approval=fetch_approval, kind="update", version="1.3.0", level="minor",
        released_at=dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC))


def test_catalog_and_server_page_show_the_update(client_for, developer, found_update):
    client = client_for(developer)

    catalog = client.get("/").content.decode()
    page = client.get("/servers/fetch/").content.decode()

    assert "update 1.3.0 (minor)" in catalog
    assert "Update available: fetch 1.3.0" in page and "released 2026-03-02" in page
    assert "kind=version_bump&amp;version=1.3.0" in page


def test_one_click_bump_is_pre_filled_with_the_new_pin(client_for, developer, found_update):
    response = client_for(developer).get(
        "/requests/new/", {"server": "fetch", "kind": "version_bump", "version": "1.3.0"})

    form = response.context["form"]
    assert form.initial["version"] == "1.3.0"
    assert form.initial["args"] == "mcp-server-fetch==1.3.0"
    assert form.initial["kind"] == "version_bump"


def test_a_bump_link_with_a_range_is_not_pre_filled(client_for, developer, found_update):
    response = client_for(developer).get(
        "/requests/new/", {"server": "fetch", "kind": "version_bump", "version": "^1.3"})

    assert "version" not in response.context["form"].initial
    assert response.context["form"].initial["args"] == "mcp-server-fetch==1.2.0"


def test_security_team_names_the_owner(client_for, security, fetch_approval):
    someone = UserFactory(username="owner2")

    response = client_for(security).post("/servers/fetch/", {
        "action": "owner", "approval": fetch_approval.pk, "owner": "owner2"})

    assert response.status_code == 302
    fetch_approval.refresh_from_db()
    assert fetch_approval.owner == someone


def test_others_cannot_name_the_owner(client_for, developer, fetch_approval):
    response = client_for(developer).post("/servers/fetch/", {
        "action": "owner", "approval": fetch_approval.pk, "owner": "dev"})

    assert response.status_code == 403


def test_an_unknown_owner_is_refused_with_a_message(client_for, security, fetch_approval):
    response = client_for(security).post("/servers/fetch/", {
        "action": "owner", "approval": fetch_approval.pk, "owner": "nobody"})

    assert response.status_code == 400
    assert "No user is called" in response.content.decode()
    fetch_approval.refresh_from_db()
    assert fetch_approval.owner.username == "dev"


def test_withdrawn_pin_is_shown_on_the_server_page(client_for, developer, fetch_approval):
    UpstreamRelease.objects.create(approval=fetch_approval, kind="withdrawn", version="1.2.0",
                                   detail="yanked on PyPI: broken")

    page = client_for(developer).get("/servers/fetch/").content.decode()

    assert "is yanked on PyPI: broken" in page
