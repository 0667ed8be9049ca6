"""Audit writers racing on PostgreSQL with real connections: appends to the hash chain wait
on the head's row lock and run one after another, so the chain holds every entry once, in
the order the writers committed (not the order their ids were drawn), and verifies."""

import threading
import time

import psycopg
import pytest
from auditlog.models import LogEntry
from django.db import connection, connections, transaction

from audit.actors import acting_as, system_user
from audit.chain import verify
from audit.models import ChainLink
from registry.models import Server

from .conftest import database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
WRITERS = 4


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                       "current_database() AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


def _write(n: int, errors: list) -> None:
    try:
        with transaction.atomic(), acting_as(None):
            Server.objects.create(name=f"racer-{n}", package=f"@race/{n}")
    except Exception as error:  # noqa: BLE001 - reported by the test
        errors.append(error)
    finally:
        connections.close_all()


def test_racing_audit_writers_each_chain_their_entries_once_and_the_chain_verifies():
    if connection.vendor != "postgresql":
        pytest.fail("this race needs PostgreSQL's row locks; run it with `make test-services`")
    system_user()
    errors: list = []
    # A third connection holds the head, so every writer has inserted its entry (drawn its
    # id) and then queues for the lock; they are let go together.
    with psycopg.connect(database_url()) as holder:
        holder.execute("SELECT seq FROM audit_chainhead WHERE id = 1 FOR UPDATE")
        threads = [threading.Thread(target=_write, args=(n, errors)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while _waiting_on_locks() < WRITERS:
            assert time.monotonic() < deadline, "the writers never queued on the chain head"
            time.sleep(0.01)
        holder.commit()
    for thread in threads:
        thread.join(30)

    assert errors == []
    verdict = verify()
    assert verdict.ok, verdict.problem
    assert ChainLink.objects.count() == LogEntry.objects.count() == verdict.head_seq
    assert Server.objects.filter(name__startswith="racer-").count() == WRITERS
