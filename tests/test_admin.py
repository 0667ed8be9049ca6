"""The Django admin: every model is there; audit records and sign-offs are read-only;
admin actions go through the services."""

import pytest
from django.contrib import admin
from django.urls import reverse

from approvals import services as workflow
from approvals.models import SignOff

pytestmark = pytest.mark.django_db


def test_every_model_of_the_portal_has_an_admin_page_that_opens(client, admin_user, file,
                                                                 active_approval):
    file(server_name="other-server", source="https://github.com/x/other",
         package="@x/other", config={"command": "npx", "args": ["-y", "@x/other@1.2.3"]})
    client.force_login(admin_user)
    models = [m for m in admin.site._registry if m._meta.app_label in (
        "governance", "registry", "approvals", "auditlog")]
    assert len(models) >= 12
    for model in models:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("model_name", ["signoff", "logentry"])
def test_sign_offs_and_audit_records_are_read_only(client, admin_user, model_name):
    client.force_login(admin_user)
    app = "approvals" if model_name == "signoff" else "auditlog"
    assert client.get(reverse(f"admin:{app}_{model_name}_add")).status_code == 403


def test_a_sign_off_cannot_be_changed_in_the_admin(client, admin_user, file, tech_lead):
    request = file()
    signoff = workflow.sign_off(actor=tech_lead, request=request, role="tech_lead",
                                decision="deny", reason="Too broad.")
    client.force_login(admin_user)
    url = reverse("admin:approvals_signoff_change", args=[signoff.pk])
    client.post(url, {"decision": "approve", "reason": ""})
    assert SignOff.objects.get(pk=signoff.pk).decision == "deny"


def test_the_claim_action_goes_through_the_workflow_service(client, admin_user, file,
                                                            security):
    request = file()
    client.force_login(security)  # not staff: the admin turns them away
    assert client.get(reverse("admin:approvals_request_changelist")).status_code == 302
    security.is_staff = True
    security.is_superuser = True
    security.save()
    client.force_login(security)
    client.post(reverse("admin:approvals_request_changelist"),
                {"action": "claim", "_selected_action": [request.pk]})
    request.refresh_from_db()
    assert request.reviewer == security
    assert request.events.filter(verb="claimed", actor=security).exists()


def test_no_one_deletes_a_user_in_the_admin_they_deactivate_them(client, admin_user,
                                                                 developer):
    """Deleting would blank the actor of the person's audit entries (the chain would
    report it as tampering); the admin offers deactivation only."""
    client.force_login(admin_user)
    assert client.get(f"/admin/auth/user/{developer.pk}/delete/").status_code == 403
    listing = client.get("/admin/auth/user/").content.decode()
    assert "delete_selected" not in listing
    assert client.get(f"/admin/auth/user/{developer.pk}/change/").status_code == 200
    assert type(developer).objects.filter(pk=developer.pk).exists()
