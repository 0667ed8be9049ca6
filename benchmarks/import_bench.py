"""`import_registry` at a registry's size (issue 10), beside its floor measured in the same
run: the same servers, approvals and one audit row each inserted in bulk by hand (no
parsing, no checks). The import is timed whole, as an operator runs it (read, parse with
the C loader, validate, write), then the same file again (nothing changes: it should cost
under a third of the first), and at a tenth of the size (linear: the same cost per
approval).

    python benchmarks/import_bench.py --approvals 1000
"""

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from io import StringIO
from pathlib import Path

from harness import ROOT, analyze, setup_django

TEMPLATE = ROOT / "registry" / "data" / "mcp-registry-template.yaml"

ROWS = []


def row(name, real, floor, goal, against="floor", unit="s"):
    ratio = real / floor
    ok = "ok" if ratio <= goal else "MISSED"
    ROWS.append((name, ok))
    print(f"{name:<50} {real:8.3f} {unit:<2} {against} {floor:7.3f} {unit:<2} {ratio:5.2f}x  "
          f"goal <= {goal}x  {ok}", flush=True)


def registry_file(count: int, folder: Path) -> Path:
    """A registry YAML of `count` approved entries, as the portal writes it."""
    from django.utils import timezone

    from registry import formats

    today = timezone.localdate()
    template, problems = formats.parse_registry(TEMPLATE.read_text())
    assert not problems, problems
    registry = formats.Registry(
        metadata=template.metadata, pending_review=[], denied=[],
        version_bump_policy=template.version_bump_policy,
        incident_response=template.incident_response, approved=[formats.ApprovedEntry(
            name=f"imp-{n:06d}", version="1.2.3", source="https://github.com/example/mcp",
            package_registry="npm", package=f"@example/imp-{n:06d}",
            approved_by="bench@company.com", approved_date=today - dt.timedelta(days=10),
            expires=today + dt.timedelta(days=80), data_scope="INTERNAL", risk="LOW",
            rationale="Benchmark entry.",
            config={"command": "npx", "args": ["-y", f"@example/imp-{n:06d}@1.2.3"],
                    "env": {}}) for n in range(count)])
    path = folder / f"registry-{count}.yaml"
    path.write_text(formats.dump_registry_yaml(registry))
    return path


def empty():
    from django.db import connection

    from registry.models import ExportSnapshot, RegistryRevision

    RegistryRevision.objects.update(snapshot=None)
    ExportSnapshot.objects.all().delete()
    with connection.cursor() as cursor:
        tables = ["auditlog_logentry", "registry_approval_approvers", "registry_approval",
                  "registry_server"]
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")


def floor(count: int) -> float:
    """The same rows and an audit row for each server and approval, inserted in bulk."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone

    from registry.models import Approval, Server

    today, now = timezone.localdate(), timezone.now()
    start = time.perf_counter()
    with transaction.atomic():
        servers = Server.objects.bulk_create(
            [Server(name=f"imp-{n:06d}", source="https://github.com/example/mcp",
                    package_registry="npm", package=f"@example/imp-{n:06d}")
             for n in range(count)], batch_size=1000)
        approvals = Approval.objects.bulk_create(
            [Approval(server=s, version="1.2.3", data_scope="INTERNAL", risk="LOW",
                      rationale="Benchmark entry.", approved_by="bench@company.com",
                      config={"command": "npx", "args": ["-y", f"{s.package}@1.2.3"],
                              "env": {}},
                      approved_date=today - dt.timedelta(days=10),
                      expires=today + dt.timedelta(days=80)) for s in servers],
            batch_size=1000)
        LogEntry.objects.bulk_create(
            [LogEntry(content_type=ContentType.objects.get_for_model(o), object_pk=str(o.pk),
                      object_id=o.pk, object_repr=str(o)[:200], action=LogEntry.Action.CREATE,
                      changes={"id": ["None", str(o.pk)]}, timestamp=now)
             for o in [*servers, *approvals]], batch_size=1000)
    return time.perf_counter() - start


def run_import(path: Path) -> float:
    from django.core.management import call_command

    start = time.perf_counter()
    call_command("import_registry", str(path), stdout=StringIO())
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--approvals", type=int, default=1000)
    args = parser.parse_args()
    count = args.approvals
    # The importer's size limit (IMPORT_MAX_BYTES, 64 MiB) holds about 150,000 approvals;
    # raised here for a larger file, as a portal of that size would raise it.
    os.environ["IMPORT_MAX_BYTES"] = str(max(64 * 1024 * 1024, 1024 * count))
    setup_django()
    from governance.celery import app
    from registry.models import Approval

    app.conf.update(task_always_eager=False, broker_url="memory://")  # builds are queued
    rounds = 3 if count <= 10_000 else 1
    folder = Path(tempfile.mkdtemp(prefix="mcp-import-bench-"))
    small, large = registry_file(count // 10, folder), registry_file(count, folder)
    firsts, agains, floors, smalls = [], [], [], []
    for _ in range(rounds):
        empty()
        smalls.append(run_import(small))
        empty()
        firsts.append(run_import(large))
        assert Approval.objects.filter(status="active").count() == count
        analyze()
        agains.append(run_import(large))
        empty()
        floors.append(floor(count))
    first, again = statistics.median(firsts), statistics.median(agains)
    row(f"import_registry, {count:,} new approvals", first, statistics.median(floors), 3)
    row(f"the same file again, {count:,} approvals", again, first, 0.33, against="first")
    per_small = statistics.median(smalls) / (count // 10)
    row(f"import per approval, {count:,} vs {count // 10:,} (linear)", first / count * 1000,
        per_small * 1000, 1.5, against=f"{count // 10:,}:", unit="ms")
    missed = [name for name, ok in ROWS if ok != "ok"]
    print(f"goals missed: {', '.join(missed) if missed else 'none'}")


if __name__ == "__main__":
    main()
