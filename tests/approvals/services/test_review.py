"""The security team's review through the workflow service (approvals/services/review.py):
claiming, the review states of SPEC §5, the assessment."""

import pytest

from approvals import services as workflow
from governance.errors import Conflict, InvalidInput, NotAllowed
from registry.models import Approval
from tests.approvals.services.helpers import approve_new_server, bump

pytestmark = pytest.mark.django_db


# ─── rule 2: data classification ────────────────────────────────────────────────────


def test_security_setting_the_final_scope_to_restricted_denies(file, security):
    request = file()
    workflow.set_assessment(actor=security, request=request, data_scope="RESTRICTED")
    request.refresh_from_db()
    assert request.status == "denied"


# ─── rule 4: version bumps ──────────────────────────────────────────────────────────


def test_a_major_bump_must_pass_a_sandbox_trial_with_notes(active_approval, file, security,
                                                           director):
    request = bump(file, "2.0.0")
    workflow.sign_off(actor=security, request=request, role="security_team",
                      decision="approve", comment="Reviewed.")
    with pytest.raises(Conflict) as refused:
        workflow.sign_off(actor=director, request=request, role="engineering_director",
                          decision="approve")
    assert "sandbox_trial" in refused.value.errors["status"][0]
    workflow.transition(actor=security, request=request, status="sandbox_trial")
    with pytest.raises(InvalidInput) as refused:
        workflow.transition(actor=security, request=request, status="awaiting_security")
    assert "notes" in refused.value.errors
    workflow.transition(actor=security, request=request, status="awaiting_security",
                        notes="Ran it for a week against staging; no surprises.")
    workflow.sign_off(actor=director, request=request, role="engineering_director",
                      decision="approve")
    request.refresh_from_db()
    assert request.status == "approved"
    assert Approval.objects.active().get(server__name="context7").version == "2.0.0"


# ─── the review states (SPEC §5) ────────────────────────────────────────────────────


def test_a_decided_request_cannot_move(file, tech_lead, security):
    request = file()
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="deny",
                      reason="No.")
    for status in ("under_review", "sandbox_trial", "withdrawn"):
        with pytest.raises(Conflict):
            workflow.transition(actor=security, request=request, status=status)


def test_approved_and_denied_come_only_from_sign_offs(file, security):
    with pytest.raises(Conflict):
        workflow.transition(actor=security, request=file(), status="approved")


def test_only_the_security_team_moves_a_request(file, tech_lead, developer):
    request = file()
    for actor in (tech_lead, developer):
        with pytest.raises(NotAllowed):
            workflow.transition(actor=actor, request=request, status="sandbox_trial")


def test_claiming_assigns_the_reviewer_and_only_to_security(file, security, tech_lead):
    request = workflow.assign(actor=security, request=file())
    assert request.reviewer == security
    with pytest.raises(InvalidInput):
        workflow.assign(actor=security, request=request, reviewer=tech_lead)


# ─── the assessment and the roles ───────────────────────────────────────────────────


def test_when_the_route_shrinks_the_approvals_already_given_decide(file, tech_lead, security,
                                                                    director):
    request = file(proposed_data_scope="CONFIDENTIAL")
    request = approve_new_server(request, tech_lead, security)
    assert request.status == "under_review"  # waiting for the director
    workflow.set_assessment(actor=security, request=request, data_scope="INTERNAL")
    request.refresh_from_db()
    assert request.status == "approved"
    assert Approval.objects.get().data_scope == "INTERNAL"


def test_a_developer_asking_for_approved_gets_refused_for_the_role_first(file, developer):
    with pytest.raises(NotAllowed):
        workflow.transition(actor=developer, request=file(), status="approved")
