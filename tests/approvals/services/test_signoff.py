"""Sign-offs and decisions through the workflow service (approvals/services/signoff.py):
the route each request takes, who may sign, what the final approve needs, validity, and
decisions that stay true to the state they decide on."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from approvals import services as workflow
from approvals.models import SignOff
from governance.errors import Conflict, InvalidInput, NotAllowed
from governance.policy import validity
from registry.models import Approval, ExportSnapshot
from registry.services import revoke_approval
from tests.approvals.services.helpers import approve_new_server, bump
from tests.factories import ApprovalFactory, UserFactory, stdio_config

pytestmark = pytest.mark.django_db


# ─── rule 2: data classification ────────────────────────────────────────────────────


def test_confidential_scope_needs_the_engineering_director_too(file, tech_lead, security,
                                                               director):
    request = file(proposed_data_scope="CONFIDENTIAL")
    request = approve_new_server(request, tech_lead, security)
    assert request.status == "under_review"  # still waiting for the director
    workflow.sign_off(actor=director, request=request, role="engineering_director",
                      decision="approve")
    request.refresh_from_db()
    assert request.status == "approved"


# ─── rule 3: routing of new servers and renewals ────────────────────────────────────


def test_risk_must_be_set_before_the_final_sign_off(file, tech_lead, security):
    request = file()
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve")
    with pytest.raises(Conflict) as refused:
        workflow.sign_off(actor=security, request=request, role="security_team",
                          decision="approve", comment="fine")
    assert "risk" in refused.value.errors
    assert SignOff.objects.count() == 1


def test_high_risk_adds_the_director_to_a_new_server(file, tech_lead, security, director):
    request = approve_new_server(file(), tech_lead, security, risk="HIGH")
    assert request.status == "under_review"
    workflow.sign_off(actor=director, request=request, role="engineering_director",
                      decision="approve")
    request.refresh_from_db()
    assert request.status == "approved"
    assert request.resulting_approval.expires == validity.add_months(timezone.localdate(), 1)


# ─── rule 4: version bumps ──────────────────────────────────────────────────────────


def test_a_patch_is_never_approved_automatically_and_needs_release_notes(active_approval, file,
                                                                        tech_lead):
    request = bump(file, "1.2.4")
    assert request.status == "under_review" and not Approval.objects.filter(
        version="1.2.4").exists()
    with pytest.raises(InvalidInput) as refused:
        workflow.sign_off(actor=tech_lead, request=request, role="tech_lead",
                          decision="approve")
    assert "release_notes" in refused.value.errors
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve",
                      release_notes="https://github.com/context7/mcp-server/releases/1.2.4")
    request.refresh_from_db()
    assert request.status == "approved"


def test_a_patch_route_does_not_take_a_security_sign_off(active_approval, file, security):
    request = bump(file, "1.2.4")
    with pytest.raises(InvalidInput) as refused:
        workflow.sign_off(actor=security, request=request, role="security_team",
                          decision="approve", comment="ok")
    assert "not on this request's route" in refused.value.errors["role"][0]


def test_a_minor_bump_needs_a_written_security_review(active_approval, file, security):
    request = bump(file, "1.3.0")
    with pytest.raises(InvalidInput) as refused:
        workflow.sign_off(actor=security, request=request, role="security_team",
                          decision="approve")
    assert "comment" in refused.value.errors
    workflow.sign_off(actor=security, request=request, role="security_team",
                      decision="approve", comment="Diff reviewed; no new network access.")
    request.refresh_from_db()
    assert request.status == "approved"


# ─── rule 5: decisions ──────────────────────────────────────────────────────────────


def test_approval_creates_the_approval_supersedes_the_old_and_builds_one_export(
        active_approval, file, tech_lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = bump(file, "1.2.4")
        workflow.sign_off(actor=tech_lead, request=request, role="tech_lead",
                          decision="approve", release_notes="notes link")
    new = Approval.objects.get(version="1.2.4")
    active_approval.refresh_from_db()
    assert (new.status, active_approval.status) == ("active", "superseded")
    assert active_approval.superseded_by == new
    assert new.approved_by == tech_lead.email and list(new.approvers.all()) == [tech_lead]
    assert ExportSnapshot.objects.count() == 1
    assert "@context7/mcp-server@1.2.4" in ExportSnapshot.objects.get().managed_mcp_json


def test_the_first_deny_from_a_required_role_decides(file, tech_lead, security):
    request = file()
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="deny",
                      reason="Duplicates an approved server.", alternative="Use sequential-x.")
    request.refresh_from_db()
    assert request.status == "denied"
    assert request.denial_alternative == "Use sequential-x."
    with pytest.raises(Conflict):
        workflow.sign_off(actor=security, request=request, role="security_team",
                          decision="approve", comment="late")


def test_a_deny_needs_a_reason(file, tech_lead):
    with pytest.raises(InvalidInput) as refused:
        workflow.sign_off(actor=tech_lead, request=file(), role="tech_lead", decision="deny")
    assert "reason" in refused.value.errors


def test_the_requester_cannot_sign_off_their_own_request(file, tech_lead):
    request = file(actor=tech_lead)
    with pytest.raises(NotAllowed):
        workflow.sign_off(actor=tech_lead, request=request, role="tech_lead",
                          decision="approve")
    assert not SignOff.objects.exists()


def test_someone_without_the_role_cannot_sign_off(file, other_developer, platform):
    request = file()
    for actor in (other_developer, platform):
        with pytest.raises(NotAllowed):
            workflow.sign_off(actor=actor, request=request, role="tech_lead",
                              decision="approve")
    assert not SignOff.objects.exists()


def test_one_person_signs_off_once_even_with_two_roles(file, db):
    both = UserFactory(username="both", roles=["tech_lead", "security_team"])
    request = file()
    workflow.set_assessment(actor=both, request=request, risk="LOW")
    workflow.sign_off(actor=both, request=request, role="tech_lead", decision="approve")
    with pytest.raises(Conflict):
        workflow.sign_off(actor=both, request=request, role="security_team",
                          decision="approve", comment="me again")
    assert SignOff.objects.count() == 1


def test_a_role_already_covered_cannot_be_signed_again(file, tech_lead, second_tech_lead):
    request = file()
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve")
    with pytest.raises(Conflict) as refused:
        workflow.sign_off(actor=second_tech_lead, request=request, role="tech_lead",
                          decision="approve")
    assert "security_team" in refused.value.errors["role"][0]


def test_no_sign_off_while_the_request_is_with_the_requester(file, security, tech_lead):
    request = file()
    workflow.transition(actor=security, request=request, status="needs_info")
    with pytest.raises(Conflict):
        workflow.sign_off(actor=tech_lead, request=request, role="tech_lead",
                          decision="approve")


# ─── rule 7: validity ───────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("risk", "expires"), [("LOW", dt.date(2027, 5, 2)),
                                               ("MEDIUM", dt.date(2027, 2, 2)),
                                               ("HIGH", dt.date(2026, 12, 2))])
def test_expiry_follows_the_risk(file, tech_lead, security, director, risk, expires):
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        request = approve_new_server(file(), tech_lead, security, risk=risk)
        if risk == "HIGH":
            workflow.sign_off(actor=director, request=request, role="engineering_director",
                              decision="approve")
    assert Approval.objects.get().expires == expires


def test_an_approver_may_shorten_the_validity_but_not_lengthen_it(file, tech_lead, security):
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        request = file()
        workflow.set_assessment(actor=security, request=request, risk="LOW")
        with pytest.raises(InvalidInput) as refused:
            workflow.sign_off(actor=tech_lead, request=request, role="tech_lead",
                              decision="approve", expires=dt.date(2027, 12, 1))
        assert "6 months" in refused.value.errors["expires"][0]
        workflow.sign_off(actor=tech_lead, request=request, role="tech_lead",
                          decision="approve", expires=dt.date(2027, 1, 31))
        workflow.sign_off(actor=security, request=request, role="security_team",
                          decision="approve", comment="ok")
    assert Approval.objects.get().expires == dt.date(2027, 1, 31)


# ─── decisions stay true to the state they decide on ────────────────────────────────


def test_a_bump_classified_against_a_superseded_approval_cannot_be_approved(
        active_approval, file, tech_lead, security, director):
    patch = bump(file, "1.2.4")
    major = bump(file, "2.0.0")
    workflow.sign_off(actor=security, request=major, role="security_team",
                      decision="approve", comment="Reviewed.")
    workflow.transition(actor=security, request=major, status="sandbox_trial")
    workflow.transition(actor=security, request=major, status="awaiting_security",
                        notes="Trial fine.")
    workflow.sign_off(actor=director, request=major, role="engineering_director",
                      decision="approve")
    # 1.2.4 would now be a downgrade from 2.0.0: the system withdrew it when 2.0.0 came in.
    patch.refresh_from_db()
    assert patch.status == "withdrawn"
    with pytest.raises(Conflict) as refused:
        workflow.sign_off(actor=tech_lead, request=patch, role="tech_lead",
                          decision="approve", release_notes="notes")
    assert "withdrawn" in refused.value.errors["status"][0]
    assert Approval.objects.active().get().version == "2.0.0"


def test_a_bump_of_a_revoked_approval_cannot_bring_it_back(active_approval, file, tech_lead,
                                                           security):
    patch = bump(file, "1.2.4")
    # Revoking is the security team's (issue 8), no longer any administrator's.
    revoke_approval(actor=security, approval=active_approval, reason="CVE-2026-0001")
    with pytest.raises(Conflict):
        workflow.sign_off(actor=tech_lead, request=patch, role="tech_lead",
                          decision="approve", release_notes="notes")
    assert not Approval.objects.active().exists()


def test_a_second_new_server_request_cannot_replace_the_approved_version(
        file, tech_lead, second_tech_lead, security, second_security):
    first = file(version="2.0.0", config=stdio_config("@context7/mcp-server", "2.0.0"))
    older = file(version="1.0.0", config=stdio_config("@context7/mcp-server", "1.0.0"))
    approve_new_server(first, tech_lead, security)
    workflow.set_assessment(actor=second_security, request=older, risk="LOW")
    workflow.sign_off(actor=second_tech_lead, request=older, role="tech_lead",
                      decision="approve")
    with pytest.raises(Conflict) as refused:
        workflow.sign_off(actor=second_security, request=older, role="security_team",
                          decision="approve", comment="ok")
    assert "version_bump" in refused.value.errors["server_name"][0]
    assert Approval.objects.active().get().version == "2.0.0"


def test_a_bump_keeps_the_scope_it_was_approved_for_unless_security_lowers_it(
        file, tech_lead):
    ApprovalFactory(server__name="context7", server__package="@context7/mcp-server",
                    version="1.2.3", data_scope="CONFIDENTIAL")
    request = file(kind="version_bump", version="1.2.4", proposed_data_scope="PUBLIC",
                   config=stdio_config("@context7/mcp-server", "1.2.4"))
    assert request.effective_data_scope == "CONFIDENTIAL"
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve",
                      release_notes="notes")
    request.refresh_from_db()
    assert request.status == "under_review"  # the director is still on the route
