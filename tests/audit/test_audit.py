"""SPEC §4 rule 10: every change is recorded with its actor, whatever the entry point."""

from io import StringIO
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse

from approvals import services as workflow
from approvals.models import Request
from audit.actors import SYSTEM_USERNAME
from governance.models import Organisation
from registry.models import Approval

pytestmark = pytest.mark.django_db

TEMPLATE = Path(__file__).resolve().parents[2] / "registry" / "data" / "mcp-registry-template.yaml"


def test_a_service_change_records_who_made_it_with_before_and_after(file, security):
    request = file()
    workflow.transition(actor=security, request=request, status="sandbox_trial")
    entry = LogEntry.objects.get_for_object(request).filter(actor=security).get()
    assert entry.changes_dict["status"] == ["under_review", "sandbox_trial"]


def test_a_refused_change_leaves_no_audit_record(file, developer):
    request = file()
    before = LogEntry.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - any refusal
        workflow.transition(actor=developer, request=request, status="sandbox_trial")
    assert LogEntry.objects.count() == before


def test_an_import_by_command_is_recorded_as_the_system_user():
    call_command("import_registry", str(TEMPLATE), stdout=StringIO())
    entry = LogEntry.objects.get_for_object(Approval.objects.get(server__name="context7")).get()
    assert entry.actor.username == SYSTEM_USERNAME


def test_the_audit_trail_shows_what_a_config_runs_but_not_its_env_values(file):
    request = file(config={"command": "npx", "args": ["-y", "@context7/mcp-server@1.2.3"],
                           "env": {"REGION": "eu-west-1", "API_TOKEN": "${CONTEXT7_TOKEN}"}})
    changes = str(LogEntry.objects.get_for_object(request).get().changes)
    assert "@context7/mcp-server@1.2.3" in changes
    assert "eu-west-1" not in changes and "${CONTEXT7_TOKEN}" in changes


def test_an_admin_edit_of_the_policy_is_recorded_with_the_administrator(client, admin_user):
    client.force_login(admin_user)
    org = Organisation.load()
    url = reverse("admin:governance_organisation_change", args=[org.pk])
    response = client.post(url, {
        "organization": "Acme", "review_cycle": "quarterly", "owner": org.owner,
        "policy_doc": org.policy_doc, "new_server_approver": "tech_lead + security_team",
        "new_server_turnaround": "1 week", "high_risk_approver": "engineering_director",
        "registry_namespace": "com.acme", "registry_api_access": "token",
    })
    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(org).latest("timestamp")
    assert entry.actor == admin_user and entry.changes_dict["organization"][1] == "Acme"


def test_the_admin_refuses_a_policy_with_an_unknown_role(client, admin_user):
    client.force_login(admin_user)
    org = Organisation.load()
    response = client.post(reverse("admin:governance_organisation_change", args=[org.pk]), {
        "organization": "Acme", "review_cycle": "quarterly", "owner": org.owner,
        "new_server_approver": "tech_lead + intern", "new_server_turnaround": "soon",
        "high_risk_approver": "engineering_director",
    })
    assert response.status_code == 200
    assert "unknown role intern" in response.content.decode()
    assert Organisation.load().organization != "Acme"


def test_nobody_can_delete_or_edit_audit_records_in_the_admin(client, admin_user, file):
    file()
    client.force_login(admin_user)
    entry = LogEntry.objects.first()
    assert client.get(reverse("admin:auditlog_logentry_delete", args=[entry.pk])
                      ).status_code == 403
    assert client.post(reverse("admin:auditlog_logentry_changelist"), {
        "action": "delete_selected", "_selected_action": [entry.pk]}).status_code in (200, 302)
    assert LogEntry.objects.filter(pk=entry.pk).exists()
    assert Request.objects.exists()


def test_filing_through_the_api_leaves_no_audit_receiver_behind(client, developer,
                                                                new_server_kwargs):
    """Services set the actor inside the audit middleware's context; nothing may leak."""
    import json

    from auditlog.models import LogEntry as Entry
    from django.db.models.signals import pre_save

    client.force_login(developer)
    body = {**new_server_kwargs}
    body["server_name"] = "first-one"
    client.post("/api/v1/requests/", json.dumps(body), content_type="application/json")
    receivers = len(pre_save._live_receivers(Entry)[0])
    for n in range(5):
        body["server_name"] = f"server-{n}"
        response = client.post("/api/v1/requests/", json.dumps(body),
                               content_type="application/json")
        assert response.status_code == 201, response.content
    assert len(pre_save._live_receivers(Entry)[0]) == receivers
    request = Request.objects.get(server__name="server-4")
    entry = LogEntry.objects.get_for_object(request).get()
    assert entry.actor == developer and entry.remote_addr == "127.0.0.1"
