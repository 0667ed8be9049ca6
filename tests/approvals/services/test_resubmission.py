"""The requester's answer to needs_info (approvals/services/resubmission.py)."""

import pytest

from approvals import services as workflow
from approvals.models import SignOff
from governance.errors import InvalidInput

pytestmark = pytest.mark.django_db


# ─── back to review ─────────────────────────────────────────────────────────────────


def test_needs_info_goes_back_to_the_requester_who_edits_and_resubmits(file, security,
                                                                       developer):
    request = file()
    workflow.transition(actor=security, request=request, status="needs_info",
                        notes="Which repositories does it need?")
    with pytest.raises(InvalidInput):
        workflow.resubmit(actor=developer, request=request, version="latest")
    request = workflow.resubmit(actor=developer, request=request,
                                use_case="Docs lookup for the payments repos only.")
    assert request.status == "under_review"
    assert request.use_case.startswith("Docs lookup")
    assert list(request.events.values_list("verb", flat=True)) == [
        "filed", "status_changed", "resubmitted"]


# ─── what an edit changes ───────────────────────────────────────────────────────────


def test_restricted_scope_given_on_resubmit_is_denied_at_once(file, security, developer):
    request = file()
    workflow.transition(actor=security, request=request, status="needs_info")
    request = workflow.resubmit(actor=developer, request=request,
                                proposed_data_scope="RESTRICTED")
    assert request.status == "denied" and "RESTRICTED" in request.denial_reason


def test_approvals_given_before_the_requester_changed_the_request_no_longer_count(
        file, tech_lead, security, developer):
    request = file()
    workflow.set_assessment(actor=security, request=request, risk="LOW")
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve")
    workflow.transition(actor=security, request=request, status="needs_info")
    workflow.resubmit(actor=developer, request=request, config={
        "command": "npx", "args": ["-y", "@context7/mcp-server@1.2.3", "--allow-writes"]})
    workflow.sign_off(actor=security, request=request, role="security_team",
                      decision="approve", comment="Reviewed the new config.")
    request.refresh_from_db()
    assert request.status == "under_review"  # the tech lead never saw the new config
    assert request.events.filter(verb="signoffs_set_aside").exists()
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve")
    request.refresh_from_db()
    assert request.status == "approved"
    assert SignOff.all_objects.filter(request=request, stale=True).count() == 1


def test_editing_only_the_words_keeps_the_sign_offs(file, tech_lead, security, developer):
    request = file()
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve")
    workflow.transition(actor=security, request=request, status="needs_info")
    workflow.resubmit(actor=developer, request=request, use_case="Clearer use case.")
    assert request.signoffs.count() == 1
