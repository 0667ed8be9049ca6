"""Helpers the workflow service tests share."""

from approvals import services as workflow
from approvals.models import Request, RequestEvent, SignOff
from registry.models import Approval
from tests.factories import stdio_config


def counts():
    return (Request.objects.count(), SignOff.objects.count(), Approval.objects.count(),
            RequestEvent.objects.count())


def approve_new_server(request, tech_lead, security, risk="LOW"):
    workflow.set_assessment(actor=security, request=request, risk=risk)
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve")
    workflow.sign_off(actor=security, request=request, role="security_team",
                      decision="approve", comment="Reviewed the code and the scopes.")
    request.refresh_from_db()
    return request


def bump(file, version):
    return file(kind="version_bump", version=version,
                config=stdio_config("@context7/mcp-server", version), use_case="Bump.")
