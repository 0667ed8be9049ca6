"""My requests and the request page: every move through the service. The queue is in
test_queue_page.py."""

import datetime as dt

import pytest
from django.utils import timezone

from approvals import services as workflow
from approvals.models import Request
from registry.models import Approval
from tests.factories import RequestFactory, stdio_config

pytestmark = pytest.mark.django_db


def post(client, request, action, **data):
    """Post one of the request page's forms; each form's fields carry its prefix."""
    prefix = "edit" if action == "resubmit" else action
    return client.post(f"/requests/{request.pk}/", {
        "action": action, **{f"{prefix}-{key}": value for key, value in data.items()}})


# ─── my requests ────────────────────────────────────────────────────────────────────


def test_my_requests_lists_only_mine_with_due_date_and_signoffs(client_for, developer,
                                                                other_developer, file,
                                                                tech_lead):
    mine = file()
    workflow.sign_off(actor=tech_lead, request=mine, role="tech_lead", decision="approve")
    file(actor=other_developer, server_name="not-mine", source="https://github.com/x/y",
         package="@x/y", config={"command": "npx", "args": ["-y", "@x/y@1.2.3"]})
    html = client_for(developer).get("/requests/mine/").content.decode()
    assert f"#{mine.pk} context7" in html
    assert "not-mine" not in html
    assert "✓ tech_lead: lead" in html and "… security_team" in html
    assert mine.expected_decision.strftime("%Y-%m-%d") in html


def test_my_requests_query_count_does_not_grow(client_for, developer,
                                               django_assert_max_num_queries):
    client = client_for(developer)
    RequestFactory(requester=developer)
    client.get("/requests/mine/")  # the policy is read once per registry revision
    with django_assert_max_num_queries(10) as few:
        client.get("/requests/mine/")
    for _ in range(20):
        RequestFactory(requester=developer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/requests/mine/").status_code == 200


# ─── pages by role ──────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("path", ["/queue/", "/exports/", "/audit/", "/dashboard/"])
def test_developer_gets_the_403_page(client_for, developer, path):
    response = client_for(developer).get(path)
    assert response.status_code == 403
    assert "This page is not for your role" in response.content.decode()


def test_navigation_shows_only_what_the_roles_can_use(client_for, developer, security,
                                                      platform):
    dev_html = client_for(developer).get("/").content.decode()
    assert 'href="/queue/"' not in dev_html and 'href="/exports/"' not in dev_html
    assert 'href="/audit/"' not in dev_html
    assert 'href="/accounts/tokens/"' in dev_html and 'href="/notifications/"' in dev_html
    sec_html = client_for(security).get("/").content.decode()
    assert all(f'href="/{p}/"' in sec_html for p in ("queue", "exports", "audit", "dashboard"))
    assert "security_team" in sec_html
    pat_html = client_for(platform).get("/").content.decode()
    assert 'href="/exports/"' in pat_html and 'href="/queue/"' not in pat_html


# ─── the request page ───────────────────────────────────────────────────────────────


def test_request_page_is_only_for_the_requester_and_reviewers(client_for, file,
                                                              other_developer, tech_lead):
    request = file()
    # Another developer's request is not theirs to see: 404, as the API answers (SPEC §3).
    assert client_for(other_developer).get(f"/requests/{request.pk}/").status_code == 404
    html = client_for(tech_lead).get(f"/requests/{request.pk}/").content.decode()
    assert "Route: new server" in html
    assert "dev's other requests" in html


def test_another_developers_request_is_not_found_like_one_that_does_not_exist(
        client_for, file, other_developer, platform):
    request = file()
    for user in (other_developer, platform):
        client = client_for(user)
        mine = client.get(f"/requests/{request.pk}/")
        missing = client.get(f"/requests/{request.pk + 1000}/")
        assert mine.status_code == missing.status_code == 404
        html = mine.content.decode()
        assert "Not found" in html and "context7" not in html


@pytest.mark.parametrize(("action", "data"), [
    ("comment", {"comment-body": "Let me in."}),
    ("withdraw", {}),
    ("edit", {"edit-version": "1.2.4"}),
    ("resubmit", {"edit-version": "1.2.4"}),
    ("signoff", {"signoff-role": "tech_lead", "signoff-decision": "approve"}),
    ("claim", {}),
    ("transition", {"transition-status": "sandbox_trial"}),
    ("assess", {"assess-risk": "LOW"}),
    ("explode", {}),
])
def test_no_form_of_another_developers_request_page_answers_but_404(
        client_for, file, other_developer, action, data):
    request = file()
    response = client_for(other_developer).post(f"/requests/{request.pk}/",
                                                {"action": action, **data})
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == "under_review" and not request.comments.exists()


def test_an_action_on_a_request_the_user_can_see_is_still_403(client_for, file, tech_lead):
    request = file()
    response = post(client_for(tech_lead), request, "withdraw")
    assert response.status_code == 403
    assert "This page is not for your role" in response.content.decode()


def test_an_unknown_action_on_a_request_page_answers_400(client_for, developer, file):
    request = file()
    response = client_for(developer).post(f"/requests/{request.pk}/", {"action": "explode"})
    assert response.status_code == 400
    assert "Unknown action" in response.content.decode()


def test_request_page_query_count_is_bounded(client_for, file, security, tech_lead,
                                             django_assert_max_num_queries):
    request = file()
    client = client_for(security)
    for i in range(10):
        workflow.add_comment(actor=security, request=request, body=f"question {i}")
    with django_assert_max_num_queries(30):
        assert client.get(f"/requests/{request.pk}/").status_code == 200


def test_security_claims_moves_and_assesses(client_for, file, security):
    request = file()
    client = client_for(security)
    assert post(client, request, "claim").status_code == 302
    assert post(client, request, "assess", risk="LOW", data_scope="",
                rationale="Docs only.", restrictions="No writes\nRead-only").status_code == 302
    assert post(client, request, "transition", status="sandbox_trial").status_code == 302
    response = post(client, request, "transition", status="awaiting_security", notes="")
    assert response.status_code == 400
    assert "trial notes are required" in response.content.decode()
    assert post(client, request, "transition", status="awaiting_security",
                notes="Ran for a day, no egress.").status_code == 302
    request.refresh_from_db()
    assert (request.reviewer, request.risk, request.status) == (security, "LOW",
                                                                "awaiting_security")
    assert request.restrictions == ["No writes", "Read-only"]


def test_tech_lead_cannot_use_reviewer_actions(client_for, file, tech_lead):
    request = file()
    response = post(client_for(tech_lead), request, "transition", status="sandbox_trial")
    assert response.status_code == 403


def test_two_signoffs_approve_a_new_server(client_for, file, tech_lead, security):
    request = file()
    assert post(client_for(tech_lead), request, "signoff", role="tech_lead",
                decision="approve", comment="Useful.").status_code == 302
    sec = client_for(security)
    response = post(sec, request, "signoff", role="security_team", decision="approve",
                    comment="Reviewed.")
    assert response.status_code == 400
    assert "must set the risk" in response.content.decode()
    post(sec, request, "assess", risk="LOW")
    response = post(sec, request, "signoff", role="security_team", decision="approve",
                    comment="")
    assert "full security review" in response.content.decode()
    assert post(sec, request, "signoff", role="security_team", decision="approve",
                comment="Reviewed the code.").status_code == 302
    request.refresh_from_db()
    assert request.status == "approved"
    assert Approval.objects.active().get(server__name="context7").version == "1.2.3"


def test_deny_needs_a_reason_and_shows_it_to_the_requester(client_for, file, tech_lead,
                                                           developer):
    request = file()
    lead = client_for(tech_lead)
    response = post(lead, request, "signoff", role="tech_lead", decision="deny")
    assert "say why it is denied" in response.content.decode()
    post(lead, request, "signoff", role="tech_lead", decision="deny",
         reason="Third-party egress.", alternative="Use docs-search.")
    html = client_for(developer).get(f"/requests/{request.pk}/").content.decode()
    assert "Third-party egress." in html and "Use docs-search." in html


def test_requester_sees_no_signoff_form_and_cannot_post_one(client_for, developer, file):
    developer.groups.create(name="tech_lead")
    developer = type(developer).objects.get(pk=developer.pk)
    request = file(actor=developer)
    client = client_for(developer)
    html = client.get(f"/requests/{request.pk}/").content.decode()
    assert "Record sign-off" not in html
    # No form, and the reason why: the API's own words.
    assert "You filed this request, so you cannot sign it off." in html
    response = post(client, request, "signoff", role="tech_lead", decision="approve")
    assert response.status_code == 403
    assert "You filed this request, so you cannot sign it off." in response.content.decode()
    assert not request.signoffs.exists()


def test_requester_edits_and_resubmits_when_needs_info(client_for, developer, file,
                                                       security):
    request = file()
    workflow.transition(actor=security, request=request, status="needs_info")
    client = client_for(developer)
    page = client.get(f"/requests/{request.pk}/").content.decode()
    assert "Answer and resubmit" in page
    data = {"version": "latest", "source": request.source, "proposed_data_scope": "PUBLIC",
            "use_case": "Docs lookup, read-only.", "what_changed": "", "notes": "",
            "command": "npx", "args": "-y\n@context7/mcp-server@1.2.3", "env": "",
            "config_json": ""}
    response = post(client, request, "resubmit", **data)
    assert response.status_code == 400
    assert "moving tag" in response.content.decode()
    response = post(client, request, "resubmit", **{**data, "version": "1.2.3"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "under_review"
    assert request.use_case == "Docs lookup, read-only."


def test_editing_to_the_version_of_another_open_request_links_to_it_on_the_page(
        client_for, developer, other_developer, file, security):
    first = file()  # context7 1.2.3, by dev
    mine = file(version="1.2.4", config=stdio_config("@context7/mcp-server", "1.2.4"))
    theirs = file(actor=other_developer, version="1.2.5",
                  config=stdio_config("@context7/mcp-server", "1.2.5"))
    data = {"version": "1.2.3", "source": first.source, "proposed_data_scope": "PUBLIC",
            "use_case": "Docs.", "what_changed": "", "notes": "", "command": "npx",
            "args": "-y\n@context7/mcp-server@1.2.3", "env": "", "config_json": ""}
    for request, user, link in (
            (mine, developer,
             f'href="/requests/{first.pk}/">Open the existing request'),
            (theirs, other_developer,
             'href="/servers/context7/">See the open requests for this server')):
        workflow.transition(actor=security, request=request, status="needs_info")
        response = post(client_for(user), request, "edit", **data)
        html = response.content.decode()
        assert response.status_code == 400
        assert "Another open request has that version." in html
        assert link in html
        if user == other_developer:  # a page that would answer 404 to them
            assert f"/requests/{first.pk}/" not in html
        request.refresh_from_db()
        assert request.version != "1.2.3"


def test_requester_withdraws(client_for, developer, file):
    request = file()
    assert post(client_for(developer), request, "withdraw").status_code == 302
    assert Request.objects.get(pk=request.pk).status == "withdrawn"


def test_comments_are_added_and_shown(client_for, developer, file, security):
    request = file()
    post(client_for(security), request, "comment", body="Which repos will it touch?")
    html = client_for(developer).get(f"/requests/{request.pk}/").content.decode()
    assert "Which repos will it touch?" in html
    response = post(client_for(developer), request, "comment", body="")
    assert response.status_code == 400


def test_unknown_request_is_a_404(client_for, developer):
    assert client_for(developer).get("/requests/99999/").status_code == 404


def test_major_bump_shows_its_route_and_needs_sandbox_trial(client_for, active_approval, file,
                                                            security, director):
    request = file(kind="version_bump", version="2.0.0",
                   config={"command": "npx", "args": ["-y", "@context7/mcp-server@2.0.0"]})
    html = client_for(security).get(f"/requests/{request.pk}/").content.decode()
    assert "major version bump" in html
    assert "sandbox trial" in html
    assert "engineering_director" in html


def test_a_longer_expiry_than_the_risk_allows_is_refused_next_to_the_field(
        client_for, file, security, tech_lead):
    request = file()
    workflow.set_assessment(actor=security, request=request, risk="HIGH")
    response = post(client_for(tech_lead), request, "signoff", role="tech_lead",
                    decision="approve",
                    expires=(timezone.localdate() + dt.timedelta(days=300)).isoformat())
    assert response.status_code == 400
    errors = response.context["forms"]["signoff"].errors["expires"]
    assert any("HIGH risk allows at most 1 months" in e for e in errors)


def test_confidential_scope_adds_the_director_to_the_route(client_for, file, security):
    request = file(proposed_data_scope="CONFIDENTIAL")
    html = client_for(security).get(f"/requests/{request.pk}/").content.decode()
    assert "CONFIDENTIAL data" in html
    assert "engineering_director" in html.split('id="required-signoffs"')[1].split("</ul>")[0]


def test_earlier_denials_on_a_request_page_link_only_where_the_viewer_may_go(
        client_for, developer, other_developer, file, tech_lead):
    denied = file(actor=other_developer)
    workflow.sign_off(actor=tech_lead, request=denied, role="tech_lead", decision="deny",
                      reason="Sends queries to a third party.")
    mine = file(what_changed="Self-hosted now.")
    html = client_for(developer).get(f"/requests/{mine.pk}/").content.decode()
    assert "Sends queries to a third party." in html and f"#{denied.pk}" in html
    assert f"/requests/{denied.pk}/" not in html  # someone else's request: 404 for them
    html = client_for(tech_lead).get(f"/requests/{mine.pk}/").content.decode()
    assert f"/requests/{denied.pk}/" in html
