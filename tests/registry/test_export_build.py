"""The export files written in one pass over the approvals, read a chunk at a time
(formats.ExportFiles, selectors.approved_entries): the same bytes as the files written
whole from the registry's document, and a build whose query count does not grow with the
approvals."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registry import formats, selectors, services
from registry.models import Approval
from tests.factories import ApprovalFactory, ServerFactory
from tests.registry.formats.reference_yaml import to_yaml as reference_yaml
from tests.registry.registry_files import TEMPLATE

pytestmark = pytest.mark.django_db


def reference_files(today):
    """The files as they were written before: the whole registry as records, the YAML by
    the reference writer, the JSON by json.dumps."""
    entries = [formats.ApprovedEntry(
        name=a.server.name, version=a.version, source=a.server.source,
        package_registry=a.server.package_registry, package=a.server.package,
        approved_by=a.approved_by, approved_date=a.approved_date, expires=a.expires,
        data_scope=a.data_scope, risk=a.risk, rationale=a.rationale,
        restrictions=a.restrictions, config=a.config, excluded_tools=a.excluded_tools)
        for a in Approval.objects.active().select_related("server")
        .order_by("approved_date", "server__name")]
    registry, denied = selectors.export_sections(today)
    registry.approved = entries
    deployable = [e for e in entries if e.expires >= today]

    def dumps(document):
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    return {
        "mcp-registry.yaml": formats.HEADER + reference_yaml(formats.registry_document(registry)),
        "managed-mcp.json": dumps(formats.managed_mcp(deployable)),
        "managed-settings.json": dumps(formats.managed_settings(deployable, denied)),
    }


def test_the_files_written_in_one_pass_are_the_bytes_written_whole_before(monkeypatch):
    monkeypatch.setattr(selectors, "EXPORT_CHUNK", 7)  # several chunks of the read
    call_command("import_registry", str(TEMPLATE), stdout=StringIO())  # pending, denied...
    today = timezone.localdate()
    ApprovalFactory(server__name="prose", rationale="Two lines.\nNo sandbox.\n",
                    restrictions=["read-only", "no: colons # here"])
    ApprovalFactory(server__name="remote", server__package="", config={
        "type": "http", "url": "https://MCP.example.com/mcp", "headers": {"X": "ünï — ${T}"}})
    ApprovalFactory(server__name="fenced", excluded_tools=["delete_repo", "push"])
    ApprovalFactory(server__name="legacy-pattern", config={"type": "sse", "url": "https://*.x.io"})
    ApprovalFactory(server__name="lapsed", approved_date=today - dt.timedelta(days=100),
                    expires=today - dt.timedelta(days=1))
    for n in range(30):  # several chunks of the export's read
        ApprovalFactory(server=ServerFactory(name=f"many-{n:02d}"), version="2.0.0")
    files, valid_until = services.render_files(today)
    assert files == reference_files(today)
    assert valid_until == min(a.expires for a in Approval.objects.deployable(today))


@pytest.mark.parametrize("env", [
    {"RATE": 1e-05, "LOW": 2.5e-07}, {"N": 2 ** 70}, {"UNSET": None}, {"RATE": 0.5, "N": 3}])
def test_numbers_in_a_config_are_written_as_json_writes_them(env):
    """orjson writes small floats (0.00001), integers beyond 64 bits and NaN otherwise
    than json: a file that has one is written by json's writer."""
    ApprovalFactory(server__name="numbers", config={"command": "run", "args": ["1e-05"],
                                                    "env": env})
    today = timezone.localdate()
    assert services.render_files(today)[0] == reference_files(today)


def test_an_empty_registry_is_written_as_before():
    today = timezone.localdate()
    assert services.render_files(today)[0] == reference_files(today)


def test_a_build_s_query_count_does_not_grow_with_the_approvals(monkeypatch):
    monkeypatch.setattr(selectors, "EXPORT_CHUNK", 7)  # several chunks of the read

    def queries_for_a_build(cause):
        with CaptureQueriesContext(connection) as ctx:
            assert services.build_export(cause=cause) is not None
        return len(ctx.captured_queries)

    services.build_export(cause="first")
    for n in range(3):
        ApprovalFactory(server=ServerFactory(name=f"few-{n}"))
    few = queries_for_a_build("a few more")
    for n in range(40):
        ApprovalFactory(server=ServerFactory(name=f"many-{n}"))
    assert queries_for_a_build("many more") == few
