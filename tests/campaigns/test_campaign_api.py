"""POST /api/v1/campaigns/ starts a campaign as the page does; GET lists them with their
progress. Refusals in the API's one error shape, naming the field."""

import datetime as dt

from django.utils import timezone

from campaigns.models import Campaign


def _due(days=10):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_security_team_starts_a_campaign_and_reads_its_progress(api, security, approvals):
    client = api(security)
    created = client.post("/api/v1/campaigns/", {
        "name": "API review", "due": _due(), "on_no_answer": "flag", "data_scope": "PUBLIC"},
        format="json")

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["scope"] == "active approvals: PUBLIC data" and body["started_by"] == "sec"
    assert body["progress"] == {"total": 1, "answered": 0, "open": 1, "overdue": 0}
    listed = client.get("/api/v1/campaigns/").json()
    assert [c["name"] for c in listed["results"]] == ["API review"]


def test_no_approval_in_scope_is_a_400_naming_the_scope(api, security, approvals):
    response = api(security).post("/api/v1/campaigns/", {
        "name": "Nothing", "due": _due(), "on_no_answer": "revoke", "risk": "MEDIUM"},
        format="json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("No approval is in this campaign's scope")
    assert "no active approval matches active approvals: MEDIUM risk" in (
        response.json()["errors"]["scope"][0])
    assert not Campaign.objects.exists()


def test_bad_fields_are_named_and_nothing_starts(api, security, approvals):
    response = api(security).post("/api/v1/campaigns/", {
        "name": "x", "due": _due(), "on_no_answer": "delete", "risk": "SEVERE",
        "team": "Nobody"}, format="json")
    nul = api(security).post("/api/v1/campaigns/", {
        "name": "x", "due": _due(), "on_no_answer": "flag", "team": "Pay\x00ments"},
        format="json")
    bad_date = api(security).post("/api/v1/campaigns/", {
        "name": "x", "due": "soon", "on_no_answer": "flag"}, format="json")

    errors = response.json()["errors"]
    assert response.status_code == 400 and set(errors) == {"on_no_answer", "risk", "team"}
    assert "no team is called 'Nobody'" in errors["team"][0]
    assert bad_date.status_code == 400 and "due" in bad_date.json()["errors"]
    assert nul.status_code == 400 and "team" in nul.json()["errors"]
    assert not Campaign.objects.exists()


def test_only_the_security_team_starts_and_readers_list(api, developer, admin_user, approvals):
    payload = {"name": "x", "due": _due(), "on_no_answer": "flag"}
    assert api(developer).get("/api/v1/campaigns/").status_code == 403
    assert api(developer).post("/api/v1/campaigns/", payload, format="json").status_code == 403
    assert api(admin_user).get("/api/v1/campaigns/").status_code == 200
    assert api(admin_user).post("/api/v1/campaigns/", payload, format="json").status_code == 403
    assert not Campaign.objects.exists()


def test_unknown_fields_and_wrong_types_are_refused(api, security, approvals):
    response = api(security).post("/api/v1/campaigns/", {
        "name": 7, "due": _due(), "on_no_answer": "flag", "owner": "x"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) >= {"owner"}
    assert not Campaign.objects.exists()
