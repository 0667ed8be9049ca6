"""A load test: locust against a local gunicorn with the production's three sync workers
(docker-compose.yml's WEB_WORKERS default), for a bounded time, and the requests per
second and 95th percentile of each of the hook's and the pipeline's calls.

    python benchmarks/load_test.py [--approvals 1000] [--users 32] [--seconds 30]
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import setup_django
from http_bench import SERVED_AS, Portal, check_body, seed

HERE = Path(__file__).resolve().parent


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--approvals", type=int, default=1000)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    os.environ.update(SERVED_AS)
    setup_django()
    from accounts.services import issue_token
    from registry.services import build_export

    people, servers = seed(args.approvals)
    build_export(cause="load test")
    tokens = {name: "Token " + issue_token(user=user, name="load", days=None)[1]
              for name, user in people.items()}
    portal = Portal(tempfile.mkdtemp(prefix="mcp-load-"), workers=args.workers)
    out = Path(tempfile.mkdtemp(prefix="mcp-locust-")) / "load"
    try:
        env = dict(os.environ, LOAD_TOKENS=json.dumps(tokens),
                   LOAD_CHECK_BODY=check_body(servers).decode())
        subprocess.run(
            [str(Path(sys.executable).with_name("locust")), "-f", str(HERE / "load" /
             "locustfile.py"), "--headless", "--host", f"http://127.0.0.1:{portal.port}",
             "-u", str(args.users), "-r", str(args.users), "-t", f"{args.seconds}s",
             "--csv", str(out), "--only-summary", "--loglevel", "WARNING"],
            env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finally:
        portal.stop()
    print(f"\n{args.users} users for {args.seconds} s, {args.workers} gunicorn workers, "
          f"{args.approvals:,} approvals")
    print(f"{'call':<42} {'requests':>9} {'failures':>9} {'req/s':>8} {'median':>8} "
          f"{'p95':>8}")
    with open(f"{out}_stats.csv") as stats:
        for row in csv.DictReader(stats):
            if row["Name"] == "setup":
                continue
            print(f"{row['Name']:<42} {row['Request Count']:>9} {row['Failure Count']:>9} "
                  f"{float(row['Requests/s']):>8.1f} {row['50%']:>6} ms {row['95%']:>5} ms")


if __name__ == "__main__":
    main()
