"""A request page left open while the request moved on: the form posted from it is refused
with the actual reason, on the page as it is now, and nothing changes (issue 11, point 5)."""

import pytest

from approvals import services as workflow
from approvals.models import Request
from tests.approvals.test_request_pages import post

pytestmark = pytest.mark.django_db


def denied(file, tech_lead):
    request = file()
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="deny",
                      reason="Reads every file.", alternative="")
    return request


def test_a_sign_off_on_a_request_decided_meanwhile_says_so(client_for, file, tech_lead,
                                                           security):
    request = denied(file, tech_lead)
    response = post(client_for(security), request, "signoff", role="security_team",
                    decision="approve", comment="Reviewed.")
    assert response.status_code == 409
    html = response.content.decode()
    assert (f"Request #{request.pk} is denied: a decided request cannot be signed off."
            in html)
    assert not request.signoffs.filter(user=security).exists()


@pytest.mark.parametrize(("who", "action", "data"), [
    ("developer", "withdraw", {}),
    ("security", "claim", {"reviewer": ""}),
    ("security", "transition", {"status": "needs_info", "notes": ""}),
])
def test_a_change_to_a_decided_request_says_it_is_decided(request, client_for, file,
                                                          tech_lead, who, action, data):
    decided = denied(file, tech_lead)
    response = post(client_for(request.getfixturevalue(who)), decided, action, **data)
    assert response.status_code == 409
    assert (f"Request #{decided.pk} is denied: a decided request can only be commented on."
            in response.content.decode())
    decided.refresh_from_db()
    assert decided.status == "denied" and decided.reviewer is None


def test_resubmitting_a_request_no_longer_sent_back_says_why(client_for, developer, file,
                                                             security):
    request = file()
    response = post(client_for(developer), request, "resubmit", answer="Only read:docs.")
    assert response.status_code == 409
    assert (f"Request #{request.pk} is under review: only a request sent back for more "
            "information can be edited and resubmitted.") in response.content.decode()
    assert Request.objects.get(pk=request.pk).status == "under_review"
    assert not request.comments.exists()


def test_a_tech_lead_claiming_is_told_who_claims(client_for, file, tech_lead):
    response = post(client_for(tech_lead), file(), "claim", reviewer="")
    assert response.status_code == 403
    assert ("Only the security team claims, assigns, moves and assesses requests."
            in response.content.decode())
