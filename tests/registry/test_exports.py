"""The export files (SPEC §6): what the deployable files hold, the export command, the
snapshots and their rebuilds, the expiry job, and what a denial puts on the denylist."""

import datetime as dt
import json
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals import services as workflow
from registry import services
from registry.models import ExportSnapshot
from tests.factories import ApprovalFactory, ServerFactory
from tests.registry.registry_files import TEMPLATE, export

pytestmark = pytest.mark.django_db


# ─── the deployable files ───────────────────────────────────────────────────────────


def test_deployable_files_hold_only_active_approvals_not_past_expiry():
    today = timezone.localdate()
    live = ApprovalFactory(server__name="live", version="1.0.0")
    ApprovalFactory(server__name="lapsed", version="1.0.0", approved_date=today - dt.timedelta(
        days=100), expires=today - dt.timedelta(days=1))  # the expiry job has not run yet
    ApprovalFactory(server__name="revoked", status="revoked")
    mcp = json.loads(export("managed-mcp.json"))
    assert list(mcp["mcpServers"]) == ["live"]
    assert mcp["mcpServers"]["live"] == live.config
    settings = json.loads(export("managed-settings.json"))
    assert settings["allowedMcpServers"] == [
        {"serverCommand": ["npx", "-y", "@example/live@1.0.0"]}]


def test_an_approval_expiring_today_is_still_deployable():
    ApprovalFactory(server__name="last-day", expires=timezone.localdate())
    assert "last-day" in json.loads(export("managed-mcp.json"))["mcpServers"]


def test_remote_servers_keep_their_type_and_are_pinned_by_url():
    ApprovalFactory(server__name="remote", config={
        "type": "http", "url": "https://mcp.example.com/mcp",
        "headers": {"Authorization": "Bearer ${TOKEN}"}})
    assert json.loads(export("managed-mcp.json"))["mcpServers"]["remote"]["type"] == "http"
    assert json.loads(export("managed-settings.json"))["allowedMcpServers"] == [
        {"serverUrl": "https://mcp.example.com/mcp"}]


def test_the_allowlist_never_names_servers_and_makes_the_managed_lists_authoritative():
    call_command("import_registry", str(TEMPLATE), stdout=StringIO())
    document = json.loads(export("managed-settings.json"))
    assert document["allowManagedMcpServersOnly"] is True
    assert all("serverName" not in entry for entry in document["allowedMcpServers"])
    assert {"serverName": "browser-automation-mcp"} in document["deniedMcpServers"]


def test_no_active_approval_turns_mcp_off():
    assert json.loads(export("managed-mcp.json")) == {"mcpServers": {}}


def test_export_writes_to_a_file_with_output(tmp_path):
    target = tmp_path / "managed-mcp.json"
    call_command("export_registry", "--format", "managed-mcp.json", "--output", str(target),
                 stderr=StringIO())
    assert json.loads(target.read_text()) == {"mcpServers": {}}


def test_the_export_query_count_does_not_grow_with_the_approvals():
    def queries_for_export():
        with CaptureQueriesContext(connection) as ctx:
            services.render_files()
        return len(ctx.captured_queries)

    for n in range(3):
        ApprovalFactory(server=ServerFactory(name=f"few-{n}"))
    few = queries_for_export()
    for n in range(40):
        ApprovalFactory(server=ServerFactory(name=f"many-{n}"))
    assert queries_for_export() == few


# ─── snapshots ──────────────────────────────────────────────────────────────────────


def test_a_snapshot_is_built_only_when_the_content_changed():
    first = services.build_export(cause="first")
    assert first is not None and services.build_export(cause="again") is None
    ApprovalFactory(server__name="newcomer")
    second = services.build_export(cause="approval")
    assert second.previous == first
    assert "+    \"newcomer\"" in second.diff or "newcomer" in second.diff
    assert second.file_sha256["managed-mcp.json"] != first.file_sha256["managed-mcp.json"]
    assert ExportSnapshot.objects.count() == 2


def test_the_latest_snapshot_is_rebuilt_once_an_approval_in_it_has_expired():
    today = timezone.localdate()
    ApprovalFactory(server__name="short", expires=today + dt.timedelta(days=1))
    built = services.fresh_snapshot(today)
    assert "short" in built.managed_mcp_json and built.valid_until == today + dt.timedelta(days=1)
    assert services.fresh_snapshot(today + dt.timedelta(days=1)) == built
    later = services.fresh_snapshot(today + dt.timedelta(days=2))
    assert later != built and "short" not in later.managed_mcp_json


def test_expiring_due_approvals_is_set_based_audited_and_idempotent():

    today = timezone.localdate()
    due = ApprovalFactory(server__name="due", approved_date=today - dt.timedelta(days=200),
                          expires=today - dt.timedelta(days=1))
    ApprovalFactory(server__name="fine")
    assert services.expire_due_approvals(today=today) == [due.pk]
    due.refresh_from_db()
    assert due.status == "expired"
    entry = LogEntry.objects.get_for_object(due).latest("timestamp")
    assert entry.changes == {"status": ["active", "expired"]}
    assert services.expire_due_approvals(today=today) == []


def test_nobody_can_put_an_approved_command_on_the_denylist(file, tech_lead, active_approval):
    """A copy of an approved config under a new name, denied (by a person or automatically
    for RESTRICTED data), must not block the approved server in the client."""

    copied = dict(active_approval.config)
    auto = file(server_name="copycat", config=copied, proposed_data_scope="RESTRICTED",
                version="1.2.3")
    assert auto.status == "denied"
    manual = file(server_name="copycat-two", config=copied, version="1.2.3")
    workflow.sign_off(actor=tech_lead, request=manual, role="tech_lead", decision="deny",
                      reason="Duplicate of context7.")
    document = json.loads(export("managed-settings.json"))
    pinned = {"serverCommand": ["npx", "-y", "@context7/mcp-server@1.2.3"]}
    assert pinned in document["allowedMcpServers"]
    assert pinned not in document["deniedMcpServers"]
    assert {"serverName": "copycat"} in document["deniedMcpServers"]


def test_a_person_s_denial_puts_the_denied_command_on_the_denylist(file, tech_lead):

    request = file(server_name="risky", config={"command": "npx", "args": ["-y", "@x/risky@1.0.0"]},
                   version="1.0.0", package="@x/risky")
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="deny",
                      reason="Unbounded egress.")
    assert {"serverCommand": ["npx", "-y", "@x/risky@1.0.0"]} in json.loads(
        export("managed-settings.json"))["deniedMcpServers"]
