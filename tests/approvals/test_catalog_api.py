"""The catalog API: servers with their active approval, filtered, in a fixed number of
queries."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals.api.servers import forget_pages
from registry.services import registry_changed, revoke_approval
from tests.factories import ApprovalFactory, RequestFactory, ServerFactory


def test_catalog_lists_servers_with_their_active_approval(api, developer, active_approval,
                                                          file):
    file(server_name="new-one", package="@x/new-one",
         config={"command": "npx", "args": ["-y", "@x/new-one@1.2.3"]})
    body = api(developer).get("/api/v1/servers/").json()
    servers = {s["name"]: s for s in body["results"]}
    assert servers["context7"]["status"] == "active"
    assert servers["context7"]["active_approval"]["version"] == "1.2.3"
    assert servers["new-one"]["status"] == "pending"
    assert servers["new-one"]["pending_requests"][0]["version"] == "1.2.3"


def test_catalog_filters_and_refuses_unknown_values(api, developer, active_approval):
    client = api(developer)
    assert client.get("/api/v1/servers/?status=active").json()["count"] == 1
    assert client.get("/api/v1/servers/?status=denied").json()["count"] == 0
    assert client.get("/api/v1/servers/?search=ctx").json()["count"] == 0
    assert client.get("/api/v1/servers/?search=context").json()["count"] == 1
    response = client.get("/api/v1/servers/?risk=EXTREME")
    assert response.status_code == 400
    assert "risk" in response.json()["errors"]


def test_an_approval_past_its_expiry_is_not_shown_as_active(api, developer):
    """The nightly job has not run yet: the status is still active, the date has passed."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ApprovalFactory(server__name="lapsed", risk="LOW", data_scope="PUBLIC",
                    approved_date=yesterday - dt.timedelta(days=180), expires=yesterday)
    ApprovalFactory(server__name="current", risk="LOW", data_scope="PUBLIC")
    client = api(developer)
    servers = {s["name"]: s for s in client.get("/api/v1/servers/").json()["results"]}
    assert servers["lapsed"]["active_approval"] is None
    assert servers["lapsed"]["status"] == "expired"
    assert servers["current"]["active_approval"]["version"] == "1.2.3"
    assert client.get("/api/v1/servers/lapsed/").json()["active_approval"] is None
    for query in ("risk=LOW", "scope=PUBLIC"):
        names = [s["name"] for s in client.get(f"/api/v1/servers/?{query}").json()["results"]]
        assert names == ["current"], query


def test_catalog_query_count_does_not_grow_with_page_size(api, developer,
                                                          django_assert_max_num_queries):
    ApprovalFactory.create_batch(40)
    client = api(developer)
    with django_assert_max_num_queries(9):
        small = client.get("/api/v1/servers/?page_size=5")
    with django_assert_max_num_queries(9):
        large = client.get("/api/v1/servers/?page_size=40")
    assert len(small.json()["results"]) == 5
    assert len(large.json()["results"]) == 40


def _queries(client, url) -> int:
    """The queries of a page read afresh (not one remembered for the revision)."""
    forget_pages()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_says_of_each_server_what_its_own_page_says(api, developer):
    """Active, pending (with its open requests), denied (with the newest denial) and
    expired servers: each row of the list equals the server's own answer."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ApprovalFactory(server__name="active-one")
    ApprovalFactory(server__name="lapsed-one", approved_date=yesterday - dt.timedelta(days=9),
                    expires=yesterday)
    pending = ServerFactory(name="pending-one")
    RequestFactory(server=pending, version="1.0.0")
    RequestFactory(server=pending, version="2.0.0",
                   expected_decision=timezone.now() + dt.timedelta(days=1))
    denied = ServerFactory(name="denied-one")
    for days in (3, 1):
        RequestFactory(server=denied, status="denied", denial_reason=f"{days} days ago",
                       decided_at=timezone.now() - dt.timedelta(days=days))
    client = api(developer)
    listed = {s["name"]: s for s in client.get("/api/v1/servers/").json()["results"]}
    assert {n: s["status"] for n, s in listed.items()} == {
        "active-one": "active", "lapsed-one": "expired", "pending-one": "pending",
        "denied-one": "denied"}
    assert listed["denied-one"]["denial"]["denial_reason"] == "1 days ago"
    assert len(listed["pending-one"]["pending_requests"]) == 2
    for name, row in listed.items():
        assert row == client.get(f"/api/v1/servers/{name}/").json(), name


def test_the_list_reads_as_much_for_100_servers_as_for_10(api, developer):
    client = api(developer)
    client.get("/api/v1/servers/")  # the token's first use is written once
    ApprovalFactory.create_batch(9)
    RequestFactory(status="denied", denial_reason="No.", decided_at=timezone.now())
    ten = _queries(client, "/api/v1/servers/?page_size=500")
    for n in range(90):
        server = ApprovalFactory().server
        RequestFactory(server=server, version="9.0.0")
        if n % 9 == 0:
            RequestFactory(server=ServerFactory(), status="denied", denial_reason="No.",
                           decided_at=timezone.now())
    assert _queries(client, "/api/v1/servers/?page_size=500") == ten


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris"])
def test_due_dates_in_the_list_are_written_as_the_servers_page_writes_them(api, developer,
                                                                          settings, zone):
    """The list reads due dates as the database's text: whole seconds, microseconds and a
    time zone other than UTC come out as the server's own answer writes them."""
    settings.TIME_ZONE = zone
    server = ServerFactory(name="due-dates")
    whole = timezone.now().replace(microsecond=0) + dt.timedelta(days=2)
    for n, extra in enumerate((0, 120, 500000)):
        RequestFactory(server=server, version=f"1.{n}.0",
                       expected_decision=whole + dt.timedelta(microseconds=extra))
    client = api(developer)
    listed = {s["name"]: s for s in client.get("/api/v1/servers/").json()["results"]}
    dues = [r["expected_decision"] for r in listed["due-dates"]["pending_requests"]]
    assert len(set(dues)) == 3
    assert listed["due-dates"] == client.get("/api/v1/servers/due-dates/").json()


def test_a_page_read_again_costs_two_queries_and_a_change_shows_at_once(api, developer,
                                                                         security):
    """A page is remembered for the registry revision: read again, it costs the token and
    the revision; a change (which moves the revision) shows in the next answer."""
    approval = ApprovalFactory(server__name="kept")
    registry_changed(cause="test: the rows above")
    client = api(developer)
    first = client.get("/api/v1/servers/?page_size=500").json()
    assert first["results"][0]["status"] == "active"
    with CaptureQueriesContext(connection) as ctx:
        again = client.get("/api/v1/servers/?page_size=500").json()
    assert again == first
    assert len(ctx.captured_queries) <= 2, [q["sql"][:80] for q in ctx.captured_queries]
    revoke_approval(actor=security, approval=approval.pk, reason="CVE-2026-0001")
    after = client.get("/api/v1/servers/?page_size=500").json()
    assert after["results"][0]["active_approval"] is None
    assert after["results"][0]["status"] != "active"


def test_a_remembered_page_shows_an_approval_past_its_expiry_the_next_day(api, developer):
    today = timezone.localdate()
    ApprovalFactory(server__name="ending", approved_date=today - dt.timedelta(days=9),
                    expires=today)
    registry_changed(cause="test: the rows above")
    client = api(developer)
    assert client.get("/api/v1/servers/").json()["results"][0]["status"] == "active"
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        assert client.get("/api/v1/servers/").json()["results"][0]["status"] == "expired"
