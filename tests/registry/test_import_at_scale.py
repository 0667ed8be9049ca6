"""The importer at scale (issue 10): its approved entries are written in bulk, so the
queries of an import do not grow with the number of entries, and importing the same file
again skips every entry unchanged, without a query or an audit entry per entry. Each
approval made or superseded still has its one readable audit entry."""

import datetime as dt

import pytest
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals.importer import import_registry
from registry import formats
from registry.models import Approval
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def registry_of(names, version="1.0.0"):
    today = timezone.localdate()
    return formats.Registry(
        metadata={}, pending_review=[], denied=[], version_bump_policy={},
        incident_response={}, approved=[formats.ApprovedEntry(
            name=name, version=version, source="https://github.com/example/mcp",
            package_registry="npm", package=f"@example/{name}",
            approved_by="sec@example.com, lead@example.com",
            approved_date=today - dt.timedelta(days=10), expires=today + dt.timedelta(days=80),
            data_scope="INTERNAL", risk="LOW", rationale="Reviewed.",
            config={"command": "npx", "args": ["-y", f"@example/{name}@{version}"],
                    "env": {"MODE": "fast"}},
        ) for name in names])


def queries_of(registry) -> int:
    with CaptureQueriesContext(connection) as ctx:
        import_registry(registry=registry)
    return len(ctx.captured_queries)


def test_an_import_of_twice_the_entries_runs_the_same_queries():
    UserFactory(email="sec@example.com")
    queries_of(registry_of(["warm-up"]))  # first-time rows: the revision, the policy
    few = queries_of(registry_of([f"few-{n}" for n in range(5)]))
    many = queries_of(registry_of([f"many-{n}" for n in range(10)]))
    assert many == few
    assert Approval.objects.filter(status="active").count() == 16
    assert set(Approval.objects.get(server__name="many-3").approvers.values_list(
        "email", flat=True)) == {"sec@example.com"}


def test_importing_the_same_file_again_changes_nothing_and_audits_nothing():
    names = [f"same-{n}" for n in range(10)]
    import_registry(registry=registry_of(names))
    entries = LogEntry.objects.count()
    counts = import_registry(registry=registry_of(names))
    assert counts["approvals_created"] == counts["approvals_updated"] == 0
    assert counts["servers_created"] == 0
    assert LogEntry.objects.count() == entries
    assert Approval.objects.count() == 10


def test_importing_the_same_file_again_costs_the_same_queries_for_more_entries():
    few, many = [f"few-{n}" for n in range(5)], [f"many-{n}" for n in range(10)]
    import_registry(registry=registry_of(few))
    import_registry(registry=registry_of(many))
    assert queries_of(registry_of(many)) == queries_of(registry_of(few))


def test_each_approval_made_or_superseded_by_an_import_has_one_audit_entry():
    import_registry(registry=registry_of(["bumped"], "1.0.0"))
    old = Approval.objects.get(server__name="bumped")
    import_registry(registry=registry_of(["bumped"], "1.1.0"))
    new = Approval.objects.get(server__name="bumped", status="active")
    old.refresh_from_db()
    assert (old.status, old.superseded_by) == ("superseded", new)
    made = LogEntry.objects.get_for_object(new).get()
    assert made.action == LogEntry.Action.CREATE and made.object_repr == str(new)
    assert made.changes["version"] == ["None", "1.1.0"]
    # What django-auditlog writes when one row is saved, config masked alike.
    assert made.changes == {k: list(v) for k, v in model_instance_diff(None, new).items()}
    assert "fast" not in made.changes["config"][1]
    server = LogEntry.objects.get_for_object(new.server).get()
    assert server.changes == {
        k: list(v) for k, v in model_instance_diff(None, new.server).items()}
    updates = LogEntry.objects.get_for_object(old).filter(action=LogEntry.Action.UPDATE)
    assert updates.count() == 1
    assert updates.get().changes["status"] == ["active", "superseded"]
