"""The audit API: for the security team and administrators; filtered by time."""





def test_audit_trail_is_for_security_and_admins(api, developer, security, admin_user, file):
    request = file()
    assert api(developer).get("/api/v1/audit/").status_code == 403
    body = api(security).get(
        f"/api/v1/audit/?object_type=approvals.request&object_pk={request.pk}").json()
    assert body["count"] >= 1
    assert body["results"][0]["actor"] == "dev"
    assert api(admin_user).get("/api/v1/audit/?actor=dev").json()["count"] >= 1
    assert api(security).get("/api/v1/audit/?since=not-a-date").status_code == 400


def test_audit_since_with_any_utc_offset_answers_rather_than_failing(api, security, file):
    """Found by schemathesis on PostgreSQL: an offset beyond 15:59 was a 500."""
    file()
    client = api(security)
    far = client.get("/api/v1/audit/", {"since": "2000-01-01T00:00:00+20:00"})
    assert far.status_code == 200
    assert far.json()["count"] >= 1
    assert client.get("/api/v1/audit/", {"until": "2000-01-01T00:00:00-23:59"}).json()[
        "count"] == 0
    edge = client.get("/api/v1/audit/", {"since": "0001-01-01T00:00:00+20:00"})
    assert edge.status_code == 400
    assert "since" in edge.json()["errors"]
