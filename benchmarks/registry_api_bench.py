"""The MCP Registry API (/v0.1/servers) with 5,000 active approvals, read as VS Code syncs
it: every cursor page of 100, through the whole stack (middleware, read access, the
documents). Prints the queries of each page (flat: the same on the last page as on the
first) and the median time of a page next to its floor, the page's one SQL statement alone.

Self-contained: its own SQLite database in a temporary folder, seeded with bulk inserts."""

import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPROVALS = 5000
PAGE = 100


def setup():
    sys.path.insert(0, str(ROOT))
    folder = tempfile.mkdtemp(prefix="registry-api-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed():
    from django.utils import timezone

    from governance.models import Organisation
    from registry.models import Approval, Server

    org = Organisation.load()
    org.registry_namespace, org.registry_api_access = "com.acme", "open"
    org.save()
    servers = Server.objects.bulk_create(
        Server(name=f"server-{i:05d}", source="https://github.com/example/mcp",
               package_registry="npm", package=f"@example/server-{i:05d}")
        for i in range(APPROVALS))
    today = timezone.localdate()
    Approval.objects.bulk_create(
        Approval(server=s, version="1.2.3", data_scope="INTERNAL", risk="LOW",
                 config={"command": "npx", "args": ["-y", f"{s.package}@1.2.3"],
                         "env": {"API_TOKEN": "${API_TOKEN}"}},
                 approved_by="bench@company.com", approved_date=today - dt.timedelta(days=5),
                 expires=today + dt.timedelta(days=170))
        for s in servers)


def main():
    setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from registry import mcp_registry

    seed()
    client = Client()
    cursor, pages, queries, times = None, 0, [], []
    while True:
        params = {"limit": PAGE, **({"cursor": cursor} if cursor else {})}
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get("/v0.1/servers", params)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content[:200]
        body = response.json()
        pages += 1
        queries.append(len(captured.captured_queries))
        cursor = body["metadata"].get("nextCursor")
        if not cursor:
            break

    def floor():
        query = mcp_registry.Query(limit=PAGE, after=("server-02500", 0))
        start = time.perf_counter()
        mcp_registry.served_page(query)
        return time.perf_counter() - start

    floors = [floor() for _ in range(20)]
    page_ms = statistics.median(times) * 1000
    floor_ms = statistics.median(floors) * 1000
    print(f"/v0.1/servers, {APPROVALS} approvals, {pages} cursor pages of {PAGE}")
    print(f"  queries per page: first {queries[0]}, last {queries[-1]}, "
          f"max {max(queries)} (flat: {len(set(queries)) == 1})")
    print(f"  median page: {page_ms:.1f} ms; floor (the page's query alone): {floor_ms:.1f} ms;"
          f" ratio {page_ms / floor_ms:.1f}x")
    if len(set(queries)) != 1 or pages != APPROVALS // PAGE:
        sys.exit("the query count grew with the page, or pages were missed")


if __name__ == "__main__":
    main()
