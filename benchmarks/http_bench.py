"""The answers of issue 10's table, through gunicorn (one sync worker) on the database of
BENCH_DATABASE_URL, each timed beside its floor in the same run: a trivial view behind the
same middleware and authentication returning the same bytes (benchmarks/floor.py, mounted
only by benchmarks/bench_settings.py). Requests alternate real, floor, real, floor..., so a
drift of the machine's speed hits both; the figures are medians and the ratio is theirs.

    python benchmarks/http_bench.py --approvals 1000
"""

import argparse
import datetime as dt
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import ROOT, analyze, seed_approvals, setup_django

OPEN_REQUESTS = 5000


def seed(approvals: int):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from approvals.models import Request
    from registry.models import Server

    seed_approvals(approvals)
    users = get_user_model().objects
    people = {}
    for name, group in (("platform", "platform_team"), ("security", "security_team"),
                        ("dev", None)):
        people[name] = users.create(username=f"bench-{name}", email=f"{name}@company.com")
        if group:
            people[name].groups.add(Group.objects.get_or_create(name=group)[0])
    servers = list(Server.objects.order_by("name"))
    now = timezone.now()
    # 5,000 open requests (a few versions a server when there are fewer servers), due at
    # spread times, and a few denials.
    rows = []
    for n in range(OPEN_REQUESTS):
        server = servers[n % len(servers)]
        version = f"2.{n // len(servers)}.0"
        rows.append(Request(
            kind="version_bump", server=server, version=version, requester=people["dev"],
            proposed_data_scope="INTERNAL", use_case="Benchmark.",
            config={"command": "npx", "args": ["-y", f"{server.package}@{version}"]},
            expected_decision=now + dt.timedelta(minutes=(n * 7919) % 20000)))
    Request.objects.bulk_create(rows, batch_size=1000)
    analyze()
    return people, servers


def check_body(servers) -> bytes:
    config = {"mcpServers": {}}
    step = max(1, len(servers) // 20)
    for n, server in enumerate(servers[::step][:20]):
        version = "1.2.3" if n % 3 else "1.4.0"  # a third pinned to another version
        config["mcpServers"][f"my-{server.name}"] = {
            "command": "npx", "args": ["-y", f"{server.package}@{version}"]}
    config["mcpServers"]["my-unknown"] = {"command": "uvx", "args": ["some-tool==0.1.0"]}
    return json.dumps(config).encode()


# As production runs (DEBUG off, a key of its own), without TLS or collected static files;
# the benchmark's process shares the key, so the session it signs in is the server's.
SERVED_AS = {"SECRET_KEY": "benchmark-" + "x" * 50, "HTTPS": "0", "STATIC_MANIFEST": "0"}


class Portal:
    """A gunicorn serving the benchmark settings, and a client of it."""

    def __init__(self, floor_dir: str, workers: int = 1):
        self.port = 18000 + os.getpid() % 1000
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="benchmarks.bench_settings",
                   CACHE_URL=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/10"),
                   API_THROTTLE_USER="100000000/min", BENCH_FLOOR_DIR=floor_dir,
                   LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
        env.pop("CELERY_BROKER_URL", None)
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "governance.wsgi",
             "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--timeout", "600"],
            cwd=ROOT, env=env)
        for _ in range(200):
            try:
                if self.call("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("gunicorn did not start")

    def call(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, data, dict(response.getheaders())

    def stop(self):
        self.process.terminate()
        self.process.wait(30)


ROWS = []


def row(name, real_ms, floor_ms, goal):
    ratio = real_ms / floor_ms
    ok = "ok" if ratio <= goal else "MISSED"
    ROWS.append((name, ratio, goal, ok))
    print(f"{name:<58} {real_ms:8.2f} ms  floor {floor_ms:6.2f} ms  {ratio:5.2f}x"
          f"  goal <= {goal}x  {ok}", flush=True)


def paired(portal, real, floor, repeat):
    """Median ms of each, run in turn real, floor, real, floor...; each must answer as the
    first did (the status)."""
    times = {"real": [], "floor": []}
    for _ in range(3):
        real(), floor()
    for _ in range(repeat):
        for key, fn in (("real", real), ("floor", floor)):
            start = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - start)
    return (statistics.median(times["real"]) * 1000, statistics.median(times["floor"]) * 1000)


def expect(portal, status, method, path, body=None, headers=None):
    def call():
        got = portal.call(method, path, body, headers)
        assert got[0] == status, (path, got[0], got[1][:300])
        return got
    return call


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--approvals", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args()
    os.environ.update(SERVED_AS)
    setup_django()
    from django.db.models import F
    from django.test import Client
    from django.utils import timezone

    from accounts.services import issue_token
    from registry.models import RegistryRevision
    from registry.services import build_export

    start = time.perf_counter()
    people, servers = seed(args.approvals)
    build_export(cause="benchmark")
    print(f"{args.approvals:,} approvals, {OPEN_REQUESTS:,} open requests; seeded and "
          f"exported in {time.perf_counter() - start:.1f} s", flush=True)

    tokens = {name: "Token " + issue_token(user=user, name="bench", days=None)[1]
              for name, user in people.items()}
    browser = Client()
    browser.force_login(people["security"])
    session = f"sessionid={browser.cookies['sessionid'].value}"

    floor_dir = tempfile.mkdtemp(prefix="mcp-floor-")
    portal = Portal(floor_dir)
    try:
        n = args.repeat

        def floor_of(key, data):
            (Path(floor_dir) / key).write_bytes(data)

        # managed-settings.json: full body and 304.
        url = "/api/v1/exports/latest/managed-settings.json"
        auth = {"Authorization": tokens["platform"]}
        _, body, headers = expect(portal, 200, "GET", url, headers=auth)()
        floor_of("settings", body)
        etag = headers["ETag"]
        real_ms, floor_ms = paired(
            portal, expect(portal, 200, "GET", url, headers=auth),
            expect(portal, 200, "GET", "/bench-floor/api/settings", headers=auth), n)
        row(f"managed-settings.json, full 200 ({len(body) // 1024} KiB)", real_ms, floor_ms,
            1.5)
        if_none = {**auth, "If-None-Match": etag}
        real_ms, floor_ms = paired(
            portal, expect(portal, 304, "GET", url, headers=if_none),
            expect(portal, 304, "GET", "/bench-floor/api/settings?status=304",
                   headers=if_none), n)
        row("managed-settings.json, 304", real_ms, floor_ms, 1.2)
        gzip = {**auth, "Accept-Encoding": "gzip"}
        _, zipped, zheaders = expect(portal, 200, "GET", url, headers=gzip)()
        if zheaders.get("Content-Encoding") == "gzip":
            floor_of("settings.gz", zipped)
            real_ms, floor_ms = paired(
                portal, expect(portal, 200, "GET", url, headers=gzip),
                expect(portal, 200, "GET", "/bench-floor/api/settings.gz", headers=gzip), n)
            row(f"managed-settings.json, gzip 200 ({len(zipped) // 1024} KiB)", real_ms,
                floor_ms, 1.5)
        else:
            print("managed-settings.json: no gzip offered", flush=True)

        # The check of a 20-server config.
        check = {"Authorization": tokens["dev"], "Content-Type": "application/json"}
        body = check_body(servers)
        _, answer, _ = expect(portal, 200, "POST", "/api/v1/check", body, check)()
        verdicts = {r["verdict"] for r in json.loads(answer)["results"]}
        assert verdicts == {"approved", "version_mismatch", "unapproved"}, verdicts
        floor_of("check", answer)
        check_floor = expect(portal, 200, "POST", "/bench-floor/api/check", body, check)
        real_ms, floor_ms = paired(
            portal, expect(portal, 200, "POST", "/api/v1/check", body, check), check_floor, n)
        row("POST /api/v1/check, 21 servers", real_ms, floor_ms, 2)

        # The first check after a change: the revision moves (as any change moves it).
        firsts = []
        for _ in range(5):
            RegistryRevision.objects.filter(pk=1).update(
                number=F("number") + 1, changed_at=timezone.now())
            start = time.perf_counter()
            expect(portal, 200, "POST", "/api/v1/check", body, check)()
            firsts.append((time.perf_counter() - start) * 1000)
            check_floor()
        first_ms = statistics.median(firsts)
        print(f"{'POST /api/v1/check, first call after a change':<58} {first_ms:8.2f} ms"
              f"  goal < 50 ms  {'ok' if first_ms < 50 else 'MISSED'}", flush=True)
        ROWS.append(("check after a change (ms)", first_ms, 50,
                     "ok" if first_ms < 50 else "MISSED"))
        build_export(cause="benchmark: after the changes")

        # Lists at 500 a page, and the review queue page.
        heavy = max(10, n // 3)
        for path, who in (("/api/v1/servers/?page_size=500", "dev"),
                          ("/api/v1/requests/?page_size=500", "security")):
            auth = {"Authorization": tokens[who]}
            key = path.split("/")[3]
            floor_of(key, expect(portal, 200, "GET", path, headers=auth)()[1])
            real_ms, floor_ms = paired(
                portal, expect(portal, 200, "GET", path, headers=auth),
                expect(portal, 200, "GET", f"/bench-floor/api/{key}", headers=auth), heavy)
            row(f"GET {path.split('?')[0]}, 500 a page", real_ms, floor_ms, 5)
        cookie = {"Cookie": session}
        floor_of("queue", expect(portal, 200, "GET", "/queue/", headers=cookie)()[1])
        real_ms, floor_ms = paired(
            portal, expect(portal, 200, "GET", "/queue/", headers=cookie),
            expect(portal, 200, "GET", "/bench-floor/page/queue?type=text/html",
                   headers=cookie), heavy)
        row(f"review queue page (25 of {OPEN_REQUESTS:,} open)", real_ms, floor_ms, 5)
        # Sorted by a heading and searched (issue 11): the same floor, the same goal.
        for query, what in (("ordering=-expected_decision", "latest due first"),
                            ("ordering=server", "sorted by server"),
                            ("search=bench-0001", "searched")):
            real_ms, floor_ms = paired(
                portal, expect(portal, 200, "GET", f"/queue/?{query}", headers=cookie),
                expect(portal, 200, "GET", "/bench-floor/page/queue?type=text/html",
                       headers=cookie), heavy)
            row(f"review queue page, {what}", real_ms, floor_ms, 5)
    finally:
        portal.stop()
    missed = [r[0] for r in ROWS if r[3] != "ok"]
    print(f"goals missed: {', '.join(missed) if missed else 'none'}")


if __name__ == "__main__":
    main()
