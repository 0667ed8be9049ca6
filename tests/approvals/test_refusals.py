"""Refusals say the actual reason (issue 11, point 5): where the sign-off form is not
offered, the request page says why in the words the API answers with."""

import pytest

from approvals import services as workflow
from tests.approvals.services.helpers import bump
from tests.approvals.test_request_pages import post

pytestmark = pytest.mark.django_db


def refusal_on_page(client, request) -> str:
    html = client.get(request.get_absolute_url()).content.decode()
    assert "Record sign-off" not in html
    start = html.index('id="signoff-refusal"')
    return html[start:html.index("</p>", start)]


def test_a_second_sign_off_is_refused_with_the_apis_reason(file, tech_lead, client_for, api):
    request = file()
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve")
    client = client_for(tech_lead)
    assert "You have signed off this request already." in refusal_on_page(client, request)
    response = post(client, request, "signoff", role="tech_lead", decision="approve")
    assert response.status_code == 409
    html = response.content.decode()
    assert "You have signed off this request already." in html
    assert "not for your role" not in html.lower()
    answer = api(tech_lead).post(f"/api/v1/requests/{request.pk}/signoffs/",
                                 {"role": "tech_lead", "decision": "approve"}, format="json")
    assert answer.status_code == 409
    assert answer.json()["detail"] == "You have signed off this request already."


def test_a_role_the_route_does_not_need_is_told_so(active_approval, file, security,
                                                   client_for):
    patch = bump(file, "1.2.4")  # a patch: the tech lead's alone
    text = refusal_on_page(client_for(security), patch)
    assert "Your role (security_team) is not on this request&#x27;s route (required: " \
           "tech_lead)." in text
    assert "this patch version bump needs tech_lead" in text


def test_a_role_someone_else_covered_is_told_so(file, tech_lead, second_tech_lead,
                                                client_for):
    request = file()
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve")
    text = refusal_on_page(client_for(second_tech_lead), request)
    assert "tech_lead has signed off already (lead)." in text
    assert "the route still needs: security_team" in text


def test_a_request_with_the_requester_cannot_be_signed_and_says_so(file, security,
                                                                   tech_lead, client_for):
    request = file()
    workflow.transition(actor=security, request=request, status="needs_info", notes="Why?")
    text = refusal_on_page(client_for(tech_lead), request)
    assert "A request that is needs_info cannot be signed off." in text
    assert "with the requester until they resubmit" in text


def test_whoever_may_sign_gets_the_form_and_no_refusal(file, tech_lead, client_for):
    request = file()
    html = client_for(tech_lead).get(request.get_absolute_url()).content.decode()
    assert "Record sign-off" in html and 'id="signoff-refusal"' not in html
