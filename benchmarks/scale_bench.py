"""The jobs of issue 10's table at a registry's size, each beside its raw floor measured in
the same run: expiring every approval (the service, against a hand-written UPDATE of the
same rows and INSERT ... SELECT of their audit rows), and building the export after a
change (rendering, hashing, the diff against the previous snapshot, gzip, storing; against
a raw SELECT of the same rows, json.dumps of them, and that one file stored with its gzip
bytes), the build in a child process of its own so that its peak memory (VmHWM) is its
own.

    python benchmarks/scale_bench.py --approvals 1000
"""

import argparse
import gzip
import hashlib
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from harness import analyze, seed_approvals, setup_django

ROWS = []
# Issue 10 sets both goals at 100,000 approvals; a smaller run prints its ratio beside the
# goal, for information (at 1,000 a build or an expiry is tens of milliseconds, most of
# them the fixed cost of a few statements on either side).
GOAL_AT = 100_000


def row(name, real, floor, goal, extra="", *, count=GOAL_AT):
    ratio = real / floor
    if count >= GOAL_AT:
        ok = "ok" if ratio <= goal else "MISSED"
    else:
        ok = f"(the goal is at {GOAL_AT:,})"
    ROWS.append((name, ok))
    print(f"{name:<50} {real:8.3f} s  floor {floor:7.3f} s  {ratio:5.2f}x  goal <= {goal}x"
          f"  {ok}{extra}", flush=True)


def raw_expire(today, now, actor_id, content_type_id):
    """The floor: one UPDATE and one INSERT ... SELECT, written by hand."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_approval SET status = 'expired', status_changed_at = %s "
            "WHERE status = 'active' AND expires < %s", [now, today])
        cursor.execute(
            "INSERT INTO auditlog_logentry (content_type_id, object_pk, object_id, "
            "object_repr, action, changes_text, changes, actor_id, timestamp) "
            "SELECT %s, CAST(a.id AS varchar), a.id, s.name || ' ' || a.version || "
            "' (expired)', 1, 'status: active → expired', %s, %s, %s "
            "FROM registry_approval a JOIN registry_server s ON s.id = a.server_id "
            "WHERE a.status = 'expired' AND a.status_changed_at = %s",
            [content_type_id, json.dumps({"status": ["active", "expired"]}), actor_id, now,
             now])


def reset():
    from auditlog.models import LogEntry

    from registry.models import Approval

    Approval.objects.filter(status="expired").update(status="active",
                                                     status_changed_at=None)
    LogEntry.objects.all().delete()


def expiry(count):
    import datetime as dt

    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from audit.actors import system_user
    from governance.celery import app
    from registry.models import Approval
    from registry.services import expire_due_approvals

    app.conf.update(task_always_eager=False, broker_url="memory://")
    actor = system_user()
    content_type = ContentType.objects.get_for_model(Approval)
    today = timezone.localdate() + dt.timedelta(days=1000)  # every approval is due
    real, floor = [], []
    for _ in range(3):
        reset()
        start = time.perf_counter()
        expired = expire_due_approvals(today=today)
        real.append(time.perf_counter() - start)
        assert len(expired) == count, len(expired)
        reset()
        start = time.perf_counter()
        raw_expire(today, timezone.now(), actor.pk, content_type.pk)
        floor.append(time.perf_counter() - start)
    row(f"expire {count:,} approvals, with their audit rows", statistics.median(real),
        statistics.median(floor), 1.5, count=count)


def child(what):
    """Run in a process of its own: prints seconds and peak RSS (MiB)."""
    setup_django(fresh=False)
    from django.db import connection

    from registry.models import Approval
    from registry.selectors import APPROVED_FIELDS
    from registry.services import build_export

    start = time.perf_counter()
    if what == "build":
        assert build_export(cause="benchmark") is not None
    else:  # the floor: the same rows read raw, dumped as JSON, that text stored with its gzip
        rows = list(Approval.objects.filter(status="active").values_list(*APPROVED_FIELDS))
        text = json.dumps(rows, default=str)
        hashlib.sha256(text.encode()).hexdigest()
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE floor_file (body text, gz bytea)")
            cursor.execute("INSERT INTO floor_file VALUES (%s, %s)",
                           [text, gzip.compress(text.encode(), compresslevel=6, mtime=0)])
    seconds = time.perf_counter() - start
    print(json.dumps([seconds, peak_rss_mib()]))


def peak_rss_mib() -> float:
    """This process's peak resident memory (VmHWM: ru_maxrss survives exec, so a child
    would report its parent's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export(count):
    from registry.models import Approval
    from registry.services import build_export

    build_export(cause="benchmark: the previous snapshot")
    first = Approval.objects.order_by("pk").first()

    def run(what):
        if what == "build":  # a change, so that the build stores a snapshot and its diff
            Approval.objects.filter(pk=first.pk).update(version=f"1.2.{time.time_ns()}")
        out = subprocess.run([sys.executable, __file__, "--child", what],
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    real, floor = [], []
    for _ in range(3):
        real.append(run("build"))
        floor.append(run("raw"))
    seconds = statistics.median(r[0] for r in real)
    rss = max(r[1] for r in real)
    floor_rss = max(r[1] for r in floor)
    row(f"build the export after a change, {count:,} approvals", seconds,
        statistics.median(f[0] for f in floor), 1.3,
        f"  (peak RSS {rss:.0f} MiB, floor's {floor_rss:.0f} MiB)", count=count)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--approvals", type=int, default=1000)
    parser.add_argument("--child", default="")
    args = parser.parse_args()
    if args.child:
        return child(args.child)
    setup_django()
    seed_approvals(args.approvals)
    analyze()
    export(args.approvals)
    expiry(args.approvals)
    missed = [name for name, ok in ROWS if ok == "MISSED"]
    print(f"goals missed: {', '.join(missed) if missed else 'none'}")


if __name__ == "__main__":
    main()
