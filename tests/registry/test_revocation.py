"""Revocation is the security team's action (issue 8 §3): from the API, the server page and
the admin, always with a reason, through registry.services.revoke_approval; audited,
notified, and out of the served files at once. Everyone else who can see the server gets 403."""

import json

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.urls import reverse

from approvals import services as workflow
from notifications.models import Notification
from registry.models import Approval
from tests.factories import stdio_config

ROLES = ["developer", "tech_lead", "security", "director", "platform", "admin_user"]
C7 = stdio_config("@context7/mcp-server", "1.2.3")


@pytest.fixture
def approved(file, tech_lead, security, developer):
    """context7 1.2.3, filed by the developer and approved by the tech lead and security."""
    request = file()
    workflow.set_assessment(actor=security, request=request, risk="LOW")
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve")
    workflow.sign_off(actor=security, request=request, role="security_team",
                      decision="approve", comment="Reviewed.")
    return Approval.objects.get(request=request)


def revoke(client, approval, reason="CVE-2026-1234: remote code execution in 1.2.3"):
    return client.post(f"/api/v1/servers/{approval.server.name}/revoke/",
                       {"approval": approval.pk, "reason": reason}, format="json")


@pytest.mark.parametrize("role", ROLES)
def test_only_the_security_team_revokes(request, api, role, approved):
    user = request.getfixturevalue(role)
    response = revoke(api(user), approved)
    approved.refresh_from_db()
    if role == "security":
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "none" and response.json()["active_approval"] is None
        assert approved.status == "revoked"
    else:  # everyone sees the server, nobody else may revoke it
        assert response.status_code == 403, response.content
        assert response.json()["detail"] == "Only the security team can revoke an approval."
        assert approved.status == "active"


def test_a_revocation_is_audited_with_its_actor_and_reason(api, security, approved):
    revoke(api(security), approved)
    entry = LogEntry.objects.get_for_object(approved).filter(actor=security).latest("timestamp")
    assert entry.changes["status"] == ["active", "revoked"]
    assert "CVE-2026-1234" in entry.changes["rationale"][1]


def test_a_revocation_tells_the_requester_approvers_security_and_platform(
        api, security, second_security, platform, developer, tech_lead, approved,
        django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        revoke(api(security), approved)
    notice = Notification.objects.get(kind="revoked")
    assert notice.subject == "Revoked: context7 1.2.3"
    assert "CVE-2026-1234" in notice.body and notice.to_chat
    told = {to for m in mail.outbox if m.subject == "Revoked: context7 1.2.3" for to in m.to}
    assert told == {u.email for u in (developer, tech_lead, security, second_security,
                                      platform)}


def test_the_revoked_approval_leaves_the_files_and_the_check_says_so(
        api, security, platform, developer, approved):
    before = api(platform).get("/api/v1/exports/latest/managed-mcp.json")
    assert "context7" in json.loads(before.content)["mcpServers"]

    revoke(api(security), approved)

    after = api(platform).get("/api/v1/exports/latest/managed-mcp.json")
    assert json.loads(after.content)["mcpServers"] == {}
    assert after["ETag"] != before["ETag"]
    verdict = api(developer).post("/api/v1/check", {"mcpServers": {"c7": C7}}, format="json")
    assert verdict.json()["results"][0]["verdict"] == "unapproved"


def test_a_revocation_needs_a_reason_and_changes_nothing_without_one(api, security, approved):
    response = revoke(api(security), approved, reason="   ")
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    approved.refresh_from_db()
    assert approved.status == "active"


def test_revoking_an_approval_that_a_bump_superseded_is_refused_naming_the_new_one(
        api, security, tech_lead, file, approved):
    bump = file(kind="version_bump", version="1.2.4", use_case="Bump.",
                config=stdio_config("@context7/mcp-server", "1.2.4"))
    workflow.sign_off(actor=tech_lead, request=bump, role="tech_lead", decision="approve",
                      release_notes="https://example.com/notes")
    newer = Approval.objects.get(request=bump)

    response = revoke(api(security), approved)

    assert response.status_code == 409
    body = response.json()
    assert f"superseded by approval #{newer.pk}" in body["errors"]["approval"][0]
    assert "revoke it" in body["errors"]["approval"][0]
    assert body["link"] == "/servers/context7/"
    assert body["conflict"] == {"approval_id": newer.pk}  # the one to revoke, as data
    assert Approval.objects.get(pk=newer.pk).status == "active"


def test_an_approval_of_another_server_is_not_revoked_through_this_one(
        api, security, approved, file):
    other = file(server_name="other", package="@x/other",
                 config=stdio_config("@x/other", "1.0.0"), version="1.0.0")
    response = api(security).post(f"/api/v1/servers/{other.server.name}/revoke/",
                                  {"approval": approved.pk, "reason": "x"}, format="json")
    assert response.status_code == 400
    assert "approval" in response.json()["errors"]
    assert Approval.objects.get(pk=approved.pk).status == "active"


# ─── the server page ────────────────────────────────────────────────────────────────


def test_security_revokes_from_the_server_page_with_a_reason(client, security, approved):
    client.force_login(security)
    page = client.get("/servers/context7/").content.decode()
    assert "Revoke this approval" in page
    response = client.post("/servers/context7/", {
        "action": "revoke", "approval": approved.pk, "reason": "CVE-2026-1234"}, follow=True)
    assert "context7 1.2.3 is revoked" in response.content.decode()
    assert Approval.objects.get(pk=approved.pk).status == "revoked"


def test_the_server_page_asks_for_the_reason_again_when_it_is_missing(
        client, security, approved):
    client.force_login(security)
    response = client.post("/servers/context7/", {"action": "revoke", "approval": approved.pk,
                                                  "reason": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert Approval.objects.get(pk=approved.pk).status == "active"


@pytest.mark.parametrize("role", ["developer", "tech_lead", "platform", "admin_user"])
def test_nobody_else_gets_the_form_or_may_post_it(request, client, role, approved):
    client.force_login(request.getfixturevalue(role))
    assert "Revoke this approval" not in client.get("/servers/context7/").content.decode()
    response = client.post("/servers/context7/", {"action": "revoke", "approval": approved.pk,
                                                  "reason": "because"})
    assert response.status_code == 403
    assert Approval.objects.get(pk=approved.pk).status == "active"


# ─── the admin ──────────────────────────────────────────────────────────────────────


def test_the_admin_action_asks_for_a_reason_before_it_revokes(client, security, approved):
    security.is_staff = security.is_superuser = True
    security.save()
    client.force_login(security)
    url = reverse("admin:registry_approval_changelist")
    asked = client.post(url, {"action": "revoke", "_selected_action": [approved.pk]})
    assert asked.status_code == 200 and "Why revoke it?" in asked.content.decode()
    assert Approval.objects.get(pk=approved.pk).status == "active"

    client.post(url, {"action": "revoke", "_selected_action": [approved.pk], "apply": "1",
                      "reason": "CVE-2026-1234"})
    revoked = Approval.objects.get(pk=approved.pk)
    assert revoked.status == "revoked" and "CVE-2026-1234" in revoked.rationale


def test_an_administrator_outside_the_security_team_has_no_revoke_action(
        client, admin_user, approved):
    client.force_login(admin_user)
    url = reverse("admin:registry_approval_changelist")
    client.post(url, {"action": "revoke", "_selected_action": [approved.pk], "apply": "1",
                      "reason": "CVE"})
    assert Approval.objects.get(pk=approved.pk).status == "active"


@pytest.mark.parametrize("approval", [0, -1, 2**63, "x", None])
def test_a_malformed_approval_id_is_a_clear_400(api, client, security, approved, approval):
    response = api(security).post("/api/v1/servers/context7/revoke/",
                                  {"approval": approval, "reason": "CVE"}, format="json")
    assert response.status_code == 400 and "approval" in response.json()["errors"]
    client.force_login(security)
    page = client.post("/servers/context7/", {"action": "revoke", "approval": approval or "",
                                              "reason": "CVE"})
    assert page.status_code == 400
    assert Approval.objects.get(pk=approved.pk).status == "active"
