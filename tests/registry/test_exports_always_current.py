"""The deployable files are never stale (SPEC §6.5): whatever changes what they show reaches
the served files at once, whether or not the broker is up, with a new ETag; and the check
API says what the files say. The broker here is a real Celery client pointed at a closed
port, as in an outage: every queueing after commit fails, and nothing else builds."""

import json
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from approvals import services as workflow
from governance.models import Organisation
from registry.models import ExportSnapshot
from tests.factories import UserFactory, stdio_config
from tests.services.conftest import celery_broker, closed_port

pytestmark = pytest.mark.django_db

C7 = stdio_config("@context7/mcp-server", "1.2.3")
C7_PIN = {"serverCommand": ["npx", *C7["args"]]}
TEMPLATE = Path(__file__).resolve().parents[2] / "registry" / "data" / "mcp-registry-template.yaml"


@pytest.fixture
def broker_down(django_capture_on_commit_callbacks):
    """Production's after-commit queueing, against a broker that refuses connections."""
    with celery_broker(f"redis://127.0.0.1:{closed_port()}/0", "outage", results=False), \
            django_capture_on_commit_callbacks(execute=True) as callbacks:
        yield callbacks


@pytest.fixture
def served(api, platform):
    """served() -> the files as the platform team's pipeline downloads them now."""
    client = api(platform)

    def _served():
        settings = client.get("/api/v1/exports/latest/managed-settings.json")
        registry = client.get("/api/v1/exports/latest/mcp-registry.yaml")
        assert settings.status_code == registry.status_code == 200
        return {"settings": json.loads(settings.content), "settings_etag": settings["ETag"],
                "yaml": yaml.safe_load(registry.content), "yaml_etag": registry["ETag"]}

    return _served


def verdict(api, user, config):
    response = api(user).post("/api/v1/check", {"mcpServers": {"x": config}}, format="json")
    return response.json()["results"][0]["verdict"]


def approve(request, tech_lead, security):
    workflow.set_assessment(actor=security, request=request, risk="LOW")
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve")
    workflow.sign_off(actor=security, request=request, role="security_team",
                      decision="approve", comment="Reviewed: read-only.")


def admin_client(client, security):
    security.is_staff = security.is_superuser = True
    security.save()
    client.force_login(security)
    return client


def test_an_approval_is_in_the_served_files_at_once_with_the_broker_down(
        api, served, broker_down, file, tech_lead, security, developer):
    before = served()
    request = file()
    approve(request, tech_lead, security)

    after = served()
    assert C7_PIN in after["settings"]["allowedMcpServers"]
    assert after["settings_etag"] != before["settings_etag"]
    assert [e["name"] for e in after["yaml"]["approved"]] == ["context7"]
    assert verdict(api, developer, C7) == "approved"
    assert ExportSnapshot.objects.latest().cause.startswith(
        f"context7 1.2.3 approved (request #{request.pk})")


def test_a_denial_is_in_the_served_files_at_once_with_the_broker_down(
        api, served, broker_down, file, tech_lead, developer):
    before = served()
    request = file()
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="deny",
                      reason="Duplicates an approved server.")

    after = served()
    assert {"serverName": "context7"} in after["settings"]["deniedMcpServers"]
    assert after["settings_etag"] != before["settings_etag"]
    assert [e["name"] for e in after["yaml"]["denied"]] == ["context7"]
    assert verdict(api, developer, C7) == "denied"


def test_a_revocation_in_the_admin_is_in_the_served_files_at_once_with_the_broker_down(
        api, served, broker_down, client, active_approval, security, developer):
    before = served()
    assert C7_PIN in before["settings"]["allowedMcpServers"]

    response = admin_client(client, security).post(
        reverse("admin:registry_approval_changelist"),
        {"action": "revoke", "_selected_action": [active_approval.pk], "apply": "1",
         "reason": "CVE-2026-1234 in 1.2.3"})
    assert response.status_code == 302

    after = served()
    assert after["settings"]["allowedMcpServers"] == []
    assert after["settings_etag"] != before["settings_etag"]
    assert after["yaml"]["approved"] == []
    assert verdict(api, developer, C7) == "unapproved"


def test_an_import_is_in_the_served_files_at_once_with_the_broker_down(served, broker_down):
    before = served()
    call_command("import_registry", str(TEMPLATE), stdout=StringIO())

    after = served()
    assert {"serverName": "browser-automation-mcp"} in after["settings"]["deniedMcpServers"]
    assert after["settings_etag"] != before["settings_etag"]
    assert [e["name"] for e in after["yaml"]["pending_review"]] == ["github-mcp"]


def test_an_admin_edit_of_the_policy_is_in_the_served_yaml_at_once_with_the_broker_down(
        served, broker_down, client, security):
    before = served()
    org = Organisation.load()
    form = {"organization": "Acme Robotics", "review_cycle": org.review_cycle,
            "last_reviewed": "", "next_review": "", "owner": org.owner,
            "policy_doc": org.policy_doc, "new_server_approver": org.new_server_approver,
            "new_server_turnaround": org.new_server_turnaround,
            "high_risk_approver": org.high_risk_approver,
            "registry_namespace": org.registry_namespace,
            "registry_api_access": org.registry_api_access}
    response = admin_client(client, security).post(
        reverse("admin:governance_organisation_change", args=[org.pk]), form)
    assert response.status_code == 302

    after = served()
    assert after["yaml"]["metadata"]["organization"] == "Acme Robotics"
    assert after["yaml_etag"] != before["yaml_etag"]
    # managed-settings.json does not show the metadata: same content, same ETag.
    assert after["settings_etag"] == before["settings_etag"]


def test_a_server_edited_in_the_admin_is_in_the_served_yaml_at_once(
        served, broker_down, client, security, active_approval):
    before = served()
    server = active_approval.server
    response = admin_client(client, security).post(
        reverse("admin:registry_server_change", args=[server.pk]),
        {"name": server.name, "source": "https://github.com/upstash/context7",
         "package_registry": server.package_registry, "package": server.package,
         "created_at_0": server.created_at.date().isoformat(), "created_at_1": "00:00:00"})
    assert response.status_code == 302

    after = served()
    assert after["yaml"]["approved"][0]["source"] == "https://github.com/upstash/context7"
    assert after["yaml_etag"] != before["yaml_etag"]


def test_an_unchanged_registry_is_served_from_its_snapshot_without_a_rebuild(
        api, platform, served, django_assert_max_num_queries):
    served()
    count = ExportSnapshot.objects.count()
    client = api(platform)
    etag = client.get("/api/v1/exports/latest/managed-mcp.json")["ETag"]
    with django_assert_max_num_queries(4):  # token, user, registry revision; nothing else
        assert client.get("/api/v1/exports/latest/managed-mcp.json",
                          HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert ExportSnapshot.objects.count() == count


def test_the_exports_page_and_its_downloads_are_current_too(
        client, served, broker_down, file, tech_lead, security):
    served()
    approve(file(), tech_lead, security)
    client.force_login(UserFactory(username="pipeline", roles=["platform_team"]))
    download = client.get("/exports/latest/managed-mcp.json")
    assert "context7" in json.loads(download.content)["mcpServers"]
    assert "context7 1.2.3 approved" in client.get("/exports/").content.decode()
