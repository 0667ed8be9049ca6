"""Shared set-up for the benchmarks: a throw-away database (SQLite in a temp folder unless
DATABASE_URL is set), migrated, and helpers to seed many rows quickly. The scripts import
Django's and the project's modules inside their functions, after setup_django(): models
cannot be imported before django.setup()."""

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def fresh_postgres(url: str) -> str:
    """Drop and create the database `url` names (BENCH_DATABASE_URL): each benchmark script
    starts from an empty one."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def setup_django(fresh=True):
    """Django on a new database (BENCH_DATABASE_URL's, made anew; else SQLite in a temporary
    folder), migrated; `fresh=False` for a child process that uses its parent's."""
    if os.environ.get("BENCH_DATABASE_URL") and fresh:
        os.environ["DATABASE_URL"] = fresh_postgres(os.environ["BENCH_DATABASE_URL"])
    if "DATABASE_URL" not in os.environ:
        folder = tempfile.mkdtemp(prefix="mcp-bench-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    if fresh:
        call_command("migrate", verbosity=0, interactive=False)


def seed_approvals(count: int, *, today: dt.date | None = None, expires_in_days=90,
                   prefix="bench"):
    """`count` servers, each with one active approval, by bulk insert."""
    from django.utils import timezone

    from registry.models import Approval, Server

    today = today or timezone.localdate()
    Server.objects.bulk_create(
        [Server(name=f"{prefix}-{n:05d}", source="https://github.com/example/mcp",
                package_registry="npm", package=f"@example/{prefix}-{n:05d}")
         for n in range(count)], batch_size=1000)
    servers = Server.objects.filter(name__startswith=f"{prefix}-").order_by("name")
    rows = [Approval(server=s, version="1.2.3", data_scope="INTERNAL", risk="LOW",
                  rationale="Benchmark entry.", config={
                      "command": "npx", "args": ["-y", f"{s.package}@1.2.3"], "env": {}},
                  approved_by="bench@company.com", approved_date=today - dt.timedelta(days=10),
                  expires=today + dt.timedelta(days=expires_in_days))
            for s in servers]
    for row in rows:
        row.set_run_keys()  # as save() does
    Approval.objects.bulk_create(rows, batch_size=1000)


def analyze():
    """Table statistics for the planner and the visibility map, as autovacuum keeps them
    after a bulk load in production (without, PostgreSQL plans 100,000 rows as a few; and
    since PostgreSQL 13 autovacuum also vacuums tables that only grow, which lets a count
    over an index, such as the review queue's of the open requests, skip the table)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def timed(fn, repeat=5):
    """(median seconds, result of the last run)."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def count_queries(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def report(name: str, value: str, target: str, ok: bool):
    print(f"{name:<62} {value:>14}   target {target:<12} {'ok' if ok else 'MISSED'}")
