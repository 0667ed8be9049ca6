"""The requests API obeys the workflow's rules and the role table, and answers errors in
SPEC §7's shape."""

import datetime as dt
import json

from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals.models import Request
from tests.factories import RequestFactory, stdio_config

NEW = {
    "kind": "new_server", "server_name": "context7", "version": "1.2.3",
    "source": "https://github.com/context7/mcp-server", "package": "@context7/mcp-server",
    "package_registry": "npm", "proposed_data_scope": "PUBLIC",
    "use_case": "Read-only documentation lookup.",
    "config": stdio_config("@context7/mcp-server", "1.2.3"),
}


def test_developer_files_a_request_and_it_is_audited(api, developer):
    response = api(developer).post("/api/v1/requests/", NEW, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "under_review"
    assert body["route"]["required_roles"] == ["tech_lead", "security_team"]
    assert LogEntry.objects.filter(object_pk=str(body["id"]), actor=developer).exists()


def test_filing_with_a_moving_version_answers_400_naming_the_field(api, developer):
    response = api(developer).post("/api/v1/requests/", {**NEW, "version": "latest"},
                                   format="json")
    assert response.status_code == 400
    body = response.json()
    assert "moving tag" in body["errors"]["version"][0]
    assert body["detail"]
    assert not Request.objects.exists()


def test_a_second_open_request_answers_409_with_a_link_to_the_first(api, developer, file):
    first = file()
    response = api(developer).post("/api/v1/requests/", NEW, format="json")
    assert response.status_code == 409
    assert response.json()["link"] == f"/requests/{first.pk}/"


def test_a_duplicate_of_someone_elses_request_links_to_the_server_page(
        api, client, file, other_developer):
    first = file()  # filed by dev
    response = api(other_developer).post("/api/v1/requests/", NEW, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["link"] == "/servers/context7/"
    assert f"/requests/{first.pk}/" not in response.content.decode()
    client.force_login(other_developer)
    assert client.get(f"/requests/{first.pk}/").status_code == 404  # why it is not linked
    page = client.get(body["link"])
    assert page.status_code == 200
    assert f"#{first.pk}" in page.content.decode()  # the open request is listed there


def test_a_duplicate_answers_409_with_the_id_of_the_open_request_as_data(
        api, developer, other_developer, file):
    first = file()
    for user in (developer, other_developer):  # the id is no secret: the message names it
        body = api(user).post("/api/v1/requests/", NEW, format="json").json()
        assert body["conflict"] == {"request_id": first.pk}
        assert body["detail"] == f"Request #{first.pk} for context7 1.2.3 is still open."
    # A program follows the id, not a sentence.
    followed = api(developer).get(f"/api/v1/requests/{body['conflict']['request_id']}/")
    assert followed.status_code == 200
    assert (followed.json()["server"], followed.json()["version"]) == ("context7", "1.2.3")


def _sent_back(api, security, request):
    response = api(security).post(f"/api/v1/requests/{request.pk}/transition/",
                                  {"status": "needs_info"}, format="json")
    assert response.status_code == 200, response.json()


def test_editing_to_the_version_of_another_open_request_answers_409_with_its_id(
        api, developer, other_developer, security, file):
    first = file()  # context7 1.2.3, by dev
    mine = file(version="1.2.4", config=stdio_config("@context7/mcp-server", "1.2.4"))
    theirs = file(actor=other_developer, version="1.2.5",
                  config=stdio_config("@context7/mcp-server", "1.2.5"))
    to_first = {"version": "1.2.3", "config": stdio_config("@context7/mcp-server", "1.2.3")}
    for request, user, link in ((mine, developer, f"/requests/{first.pk}/"),
                                (theirs, other_developer, "/servers/context7/")):
        _sent_back(api, security, request)
        response = api(user).patch(f"/api/v1/requests/{request.pk}/", to_first, format="json")
        assert response.status_code == 409, response.json()
        body = response.json()
        assert body["conflict"] == {"request_id": first.pk}
        assert body["link"] == link  # someone else's request is not theirs to open
        request.refresh_from_db()
        assert request.version != "1.2.3"


def test_the_schema_documents_the_conflict_field_of_an_error(api, developer):
    schema = api(developer).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    conflict = schema["components"]["schemas"]["Error"]["properties"]["conflict"]
    assert conflict["type"] == "object" and "request_id" in conflict["description"]


def test_a_reviewer_filing_a_duplicate_keeps_the_link_to_the_request(api, file, tech_lead):
    first = file()
    response = api(tech_lead).post("/api/v1/requests/", NEW, format="json")
    assert response.status_code == 409
    assert response.json()["link"] == f"/requests/{first.pk}/"


def test_unknown_fields_wrong_types_and_unknown_enums_answer_400(api, developer):
    client = api(developer)
    for body, field in [({**NEW, "colour": "red"}, "colour"),
                        ({**NEW, "version": 123}, "version"),
                        ({**NEW, "kind": "upgrade"}, "kind"),
                        ({**NEW, "config": ["npx"]}, "config"),
                        ({**NEW, "proposed_data_scope": "SECRET"}, "proposed_data_scope")]:
        response = client.post("/api/v1/requests/", body, format="json")
        assert response.status_code == 400, (field, response.content)
        assert field in response.json()["errors"], response.json()
    assert not Request.objects.exists()


def test_malformed_json_answers_400_in_the_error_shape(api, developer):
    response = api(developer).post("/api/v1/requests/", data='{"kind": ',
                                   content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}


def test_a_body_over_one_mebibyte_answers_413(api, developer):
    big = json.dumps({**NEW, "use_case": "x" * (1024 * 1024)})
    response = api(developer).post("/api/v1/requests/", data=big,
                                   content_type="application/json")
    assert response.status_code == 413
    assert "too large" in response.json()["detail"] or "KiB" in response.json()["detail"]


def test_anonymous_calls_answer_401(api):
    response = api().get("/api/v1/requests/")
    assert response.status_code == 401
    assert response.json()["errors"] == {}


def test_another_users_request_is_404_and_never_leaks(api, file, other_developer):
    request = file()
    response = api(other_developer).get(f"/api/v1/requests/{request.pk}/")
    assert response.status_code == 404
    assert "context7" not in response.content.decode()
    assert api(other_developer).post(f"/api/v1/requests/{request.pk}/comments/",
                                     {"body": "hi"}, format="json").status_code == 404
    listed = api(other_developer).get("/api/v1/requests/").json()
    assert listed["count"] == 0


def test_reviewers_see_the_whole_queue_developers_their_own(api, file, tech_lead,
                                                            other_developer, developer):
    file()
    file(actor=other_developer, server_name="other-server", package="@x/other-server",
         config=stdio_config("@x/other-server", "1.2.3"))
    assert api(tech_lead).get("/api/v1/requests/").json()["count"] == 2
    mine = api(developer).get("/api/v1/requests/").json()
    assert [r["server"] for r in mine["results"]] == ["context7"]


def test_developer_cannot_assign_or_move_a_request(api, developer, file):
    request = file()
    client = api(developer)
    assert client.post(f"/api/v1/requests/{request.pk}/assign/", {},
                       format="json").status_code == 403
    assert client.post(f"/api/v1/requests/{request.pk}/transition/",
                       {"status": "sandbox_trial"}, format="json").status_code == 403


def test_a_developer_cannot_probe_usernames_through_assign(api, developer, security, file):
    request = file()
    client = api(developer)
    unknown = client.post(f"/api/v1/requests/{request.pk}/assign/",
                          {"reviewer": "no-such-user"}, format="json")
    known = client.post(f"/api/v1/requests/{request.pk}/assign/",
                        {"reviewer": security.username}, format="json")
    assert (unknown.status_code, known.status_code) == (403, 403)
    assert unknown.json() == known.json()
    assert api(security).post(f"/api/v1/requests/{request.pk}/assign/",
                              {"reviewer": "no-such-user"}, format="json").status_code == 400


def test_the_route_names_the_roles_still_missing(api, developer, tech_lead, file):
    request = file()
    api(tech_lead).post(f"/api/v1/requests/{request.pk}/signoffs/",
                        {"role": "tech_lead", "decision": "approve"}, format="json")
    route = api(developer).get(f"/api/v1/requests/{request.pk}/").json()["route"]
    assert route["required_roles"] == ["tech_lead", "security_team"]
    assert route["missing_roles"] == ["security_team"]


def test_security_claims_and_moves_a_request(api, security, file):
    request = file()
    client = api(security)
    response = client.post(f"/api/v1/requests/{request.pk}/assign/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["reviewer"] == "sec"
    response = client.post(f"/api/v1/requests/{request.pk}/transition/",
                           {"status": "needs_info", "notes": "which scopes?"}, format="json")
    assert response.json()["status"] == "needs_info"


def test_a_move_the_state_does_not_allow_answers_409(api, security, file):
    request = file()
    response = api(security).post(f"/api/v1/requests/{request.pk}/transition/",
                                  {"status": "approved"}, format="json")
    assert response.status_code == 409
    assert "status" in response.json()["errors"]


def test_requester_edits_while_needs_info_then_resubmits(api, developer, security, file):
    request = file()
    api(security).post(f"/api/v1/requests/{request.pk}/transition/",
                       {"status": "needs_info"}, format="json")
    client = api(developer)
    response = client.patch(f"/api/v1/requests/{request.pk}/",
                            {"use_case": "Docs lookup for the web team."}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["use_case"] == "Docs lookup for the web team."
    response = client.post(f"/api/v1/requests/{request.pk}/transition/",
                           {"status": "under_review"}, format="json")
    assert response.json()["status"] == "under_review"


def test_editing_outside_needs_info_answers_409(api, developer, file):
    request = file()
    response = api(developer).patch(f"/api/v1/requests/{request.pk}/",
                                    {"use_case": "changed"}, format="json")
    assert response.status_code == 409


def test_full_approval_through_the_api(api, developer, security, tech_lead, file):
    request = file()
    sec = api(security)
    assert sec.post(f"/api/v1/requests/{request.pk}/assessment/", {"risk": "LOW"},
                    format="json").status_code == 200
    response = api(tech_lead).post(f"/api/v1/requests/{request.pk}/signoffs/",
                                   {"role": "tech_lead", "decision": "approve"}, format="json")
    assert response.status_code == 201, response.json()
    response = sec.post(f"/api/v1/requests/{request.pk}/signoffs/",
                        {"role": "security_team", "decision": "approve",
                         "comment": "Reviewed: read-only, no credentials."}, format="json")
    assert response.status_code == 201, response.json()
    assert api(developer).get(f"/api/v1/requests/{request.pk}/").json()["status"] == "approved"
    again = sec.post(f"/api/v1/requests/{request.pk}/signoffs/",
                     {"role": "security_team", "decision": "approve"}, format="json")
    assert again.status_code == 409


def test_requester_cannot_sign_off_own_request(api, developer, file):
    request = file()
    response = api(developer).post(f"/api/v1/requests/{request.pk}/signoffs/",
                                   {"role": "tech_lead", "decision": "approve"}, format="json")
    assert response.status_code in (400, 403)
    assert response.json()["errors"]


def test_withdrawing_a_decided_request_answers_409(api, developer, file):
    request = file()
    client = api(developer)
    assert client.post(f"/api/v1/requests/{request.pk}/transition/",
                       {"status": "withdrawn"}, format="json").status_code == 200
    assert client.post(f"/api/v1/requests/{request.pk}/transition/",
                       {"status": "withdrawn"}, format="json").status_code == 409


def test_list_filters_by_status_and_rejects_unknown_values(api, security, file):
    file()
    client = api(security)
    assert client.get("/api/v1/requests/?status=under_review").json()["count"] == 1
    assert client.get("/api/v1/requests/?status=approved").json()["count"] == 0
    assert client.get("/api/v1/requests/?status=bogus").status_code == 400


def test_list_query_count_does_not_grow_with_page_size(api, security,
                                                       django_assert_max_num_queries):
    from tests.factories import RequestFactory

    RequestFactory.create_batch(30)
    client = api(security)
    with django_assert_max_num_queries(6):
        small = client.get("/api/v1/requests/?page_size=5")
    with django_assert_max_num_queries(6):
        large = client.get("/api/v1/requests/")
    assert small.status_code == large.status_code == 200
    assert large.json()["count"] == 30


def test_each_row_of_the_list_says_what_the_request_says(api, security, developer):
    """The list's rows are written flat; they carry the fields and formats of the request's
    own answer, overdue and reviewer included, in the queue's order."""
    now = timezone.now()
    RequestFactory(expected_decision=now - dt.timedelta(days=1), reviewer=security)
    RequestFactory(expected_decision=now + dt.timedelta(days=1), risk="HIGH")
    RequestFactory(status="denied", decided_at=now, denial_reason="No.",
                   expected_decision=now - dt.timedelta(days=2))
    client = api(security)
    rows = client.get("/api/v1/requests/").json()["results"]
    assert [r["is_overdue"] for r in rows] == [False, True, False]  # denied: not overdue
    assert rows[1]["reviewer"] == security.username
    for row in rows:
        detail = client.get(f"/api/v1/requests/{row['id']}/").json()
        assert row == {key: detail[key] for key in row}

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/requests/?page_size=500").status_code == 200
        return len(ctx.captured_queries)

    ten = (RequestFactory.create_batch(7), queries())[1]
    RequestFactory.create_batch(90, reviewer=security)
    assert queries() == ten
