import pytest

from approvals import services as workflow


@pytest.fixture
def approve(tech_lead, security):
    """Take a filed new_server request through review to approval, as the people would."""

    def _approve(request):
        workflow.assign(actor=security, request=request)
        workflow.set_assessment(actor=security, request=request, risk="LOW")
        workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve",
                          comment="Fine for docs lookups.")
        workflow.sign_off(actor=security, request=request, role="security_team",
                          decision="approve", comment="Reviewed: read-only, no credentials.")
        request.refresh_from_db()
        return request

    return _approve
