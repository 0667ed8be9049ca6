"""A revocation racing the approval of a bump, on PostgreSQL with two real connections
(issue 8 §3): it either wins, and the bump's final sign-off is refused (409: its base
approval is no longer active), or it is refused with a message naming the approval that
superseded it. It never silently does nothing: never a revoked approval with the bump's
approval active after it, never two successes.

Both requests really wait on each other: a third connection holds the server's row while
the first request, then the second, queue behind it; then it lets go. PostgreSQL grants a
row lock to its waiters in turn, so the order they queued in is the order they run in."""

import threading
import time

import psycopg
import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from accounts.services import issue_token
from approvals import services as workflow
from registry.models import Approval
from tests.factories import ApprovalFactory, UserFactory, stdio_config

from .conftest import database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROUNDS = 12


def _client(user) -> APIClient:
    client = APIClient()
    _token, key = issue_token(user=user, name="race", days=None)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                       "current_database() AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


def _wait_for_waiters(n: int) -> None:
    deadline = time.monotonic() + 20
    while _waiting_on_locks() < n:
        if time.monotonic() > deadline:
            pytest.fail(f"expected {n} request(s) waiting on the server's row lock")
        time.sleep(0.01)


def _in_thread(call, results, key):
    def run():
        try:
            results[key] = call()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_revocation_racing_a_bump_approval_wins_or_is_refused_never_lost():
    if connection.vendor != "postgresql":
        pytest.fail("this race needs PostgreSQL's row locks; run it with `make test-services`")
    lead = UserFactory(username="lead", roles=["tech_lead"])
    sec = UserFactory(username="sec", roles=["security_team"])
    dev = UserFactory(username="dev")
    outcomes = []
    for n in range(ROUNDS):
        name = f"race-{n}"
        base = ApprovalFactory(server__name=name, version="1.2.3", risk="LOW",
                               data_scope="PUBLIC")
        bump = workflow.file_request(
            actor=dev, kind="version_bump", server_name=name, version="1.2.4",
            use_case="Patch release.", config=stdio_config(base.server.package, "1.2.4"))
        revoke_first = n % 2 == 0
        results = {}
        calls = {
            "revoke": lambda name=name, base=base: _client(sec).post(
                f"/api/v1/servers/{name}/revoke/",
                {"approval": base.pk, "reason": "CVE-2026-9999 in 1.2.3"}, format="json"),
            "sign_off": lambda bump=bump: _client(lead).post(
                f"/api/v1/requests/{bump.pk}/signoffs/",
                {"role": "tech_lead", "decision": "approve",
                 "release_notes": "https://example.com/1.2.4"}, format="json"),
        }
        order = ["revoke", "sign_off"] if revoke_first else ["sign_off", "revoke"]
        with psycopg.connect(database_url().replace("postgres://", "postgresql://")) as holder:
            holder.execute("SELECT id FROM registry_server WHERE id = %s FOR UPDATE",
                           [base.server_id])
            threads = []
            for waiting, key in enumerate(order, start=1):
                threads.append(_in_thread(calls[key], results, key))
                _wait_for_waiters(waiting)
            holder.commit()  # let go: the first in line runs, then the second
        for thread in threads:
            thread.join(timeout=60)
        revoke, sign_off = results["revoke"], results["sign_off"]
        base.refresh_from_db()
        newer = Approval.objects.filter(request=bump).first()

        if revoke_first:
            assert revoke.status_code == 200, revoke.content
            assert sign_off.status_code == 409, sign_off.content
            # The revocation withdrew the bump (the system, saying why): it is final.
            assert "withdrawn" in sign_off.json()["errors"]["status"][0]
            assert base.status == "revoked" and newer is None
            assert not Approval.objects.active().filter(server__name=name).exists()
        else:
            assert sign_off.status_code == 201, sign_off.content
            assert revoke.status_code == 409, revoke.content
            assert f"superseded by approval #{newer.pk}" in (
                revoke.json()["errors"]["approval"][0])
            assert base.status == "superseded" and newer.status == "active"
        outcomes.append((revoke.status_code, sign_off.status_code))
    assert set(outcomes) == {(200, 409), (409, 201)}


def test_a_free_race_ends_in_one_of_the_two_outcomes_every_time():
    """No third connection this time: both requests start together and the database decides.
    Whichever wins, the other is refused with its message, and the registry agrees."""
    if connection.vendor != "postgresql":
        pytest.fail("this race needs PostgreSQL's row locks; run it with `make test-services`")
    lead = UserFactory(username="lead", roles=["tech_lead"])
    sec = UserFactory(username="sec", roles=["security_team"])
    dev = UserFactory(username="dev")
    revoker, signer = _client(sec), _client(lead)
    for n in range(ROUNDS):
        name = f"free-{n}"
        base = ApprovalFactory(server__name=name, version="1.2.3", risk="LOW",
                               data_scope="PUBLIC")
        bump = workflow.file_request(
            actor=dev, kind="version_bump", server_name=name, version="1.2.4",
            use_case="Patch release.", config=stdio_config(base.server.package, "1.2.4"))
        start = threading.Barrier(2)
        results = {}

        def go(call, start=start):
            start.wait(timeout=30)
            return call()

        threads = [
            _in_thread(lambda name=name, base=base: go(lambda: revoker.post(
                f"/api/v1/servers/{name}/revoke/",
                {"approval": base.pk, "reason": "CVE-2026-9999"}, format="json")),
                results, "revoke"),
            _in_thread(lambda bump=bump: go(lambda: signer.post(
                f"/api/v1/requests/{bump.pk}/signoffs/",
                {"role": "tech_lead", "decision": "approve",
                 "release_notes": "https://example.com/1.2.4"}, format="json")),
                results, "sign_off"),
        ]
        for thread in threads:
            thread.join(timeout=60)
        codes = (results["revoke"].status_code, results["sign_off"].status_code)
        base.refresh_from_db()
        newer = Approval.objects.filter(request=bump).first()
        assert codes in {(200, 409), (409, 201)}, [r.content for r in results.values()]
        if codes == (200, 409):
            assert base.status == "revoked" and newer is None
        else:
            assert base.status == "superseded" and newer.status == "active"
            assert f"approval #{newer.pk}" in results["revoke"].json()["errors"]["approval"][0]
