import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from tests.factories import ApprovalFactory


def test_catalog_lists_servers_with_their_active_approval(api, developer, active_approval,
                                                          file):
    file(server_name="new-one", package="@x/new-one",
         config={"command": "npx", "args": ["-y", "@x/new-one@1.2.3"]})
    body = api(developer).get("/api/v1/servers/").json()
    servers = {s["name"]: s for s in body["results"]}
    assert servers["context7"]["status"] == "active"
    assert servers["context7"]["active_approval"]["version"] == "1.2.3"
    assert servers["new-one"]["status"] == "pending"
    assert servers["new-one"]["pending_requests"][0]["version"] == "1.2.3"


def test_catalog_filters_and_refuses_unknown_values(api, developer, active_approval):
    client = api(developer)
    assert client.get("/api/v1/servers/?status=active").json()["count"] == 1
    assert client.get("/api/v1/servers/?status=denied").json()["count"] == 0
    assert client.get("/api/v1/servers/?search=ctx").json()["count"] == 0
    assert client.get("/api/v1/servers/?search=context").json()["count"] == 1
    response = client.get("/api/v1/servers/?risk=EXTREME")
    assert response.status_code == 400
    assert "risk" in response.json()["errors"]


def test_an_approval_past_its_expiry_is_not_shown_as_active(api, developer):
    """The nightly job has not run yet: the status is still active, the date has passed."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ApprovalFactory(server__name="lapsed", risk="LOW", data_scope="PUBLIC",
                    approved_date=yesterday - dt.timedelta(days=180), expires=yesterday)
    ApprovalFactory(server__name="current", risk="LOW", data_scope="PUBLIC")
    client = api(developer)
    servers = {s["name"]: s for s in client.get("/api/v1/servers/").json()["results"]}
    assert servers["lapsed"]["active_approval"] is None
    assert servers["lapsed"]["status"] == "expired"
    assert servers["current"]["active_approval"]["version"] == "1.2.3"
    assert client.get("/api/v1/servers/lapsed/").json()["active_approval"] is None
    for query in ("risk=LOW", "scope=PUBLIC"):
        names = [s["name"] for s in client.get(f"/api/v1/servers/?{query}").json()["results"]]
        assert names == ["current"], query


def test_catalog_query_count_does_not_grow_with_page_size(api, developer,
                                                          django_assert_max_num_queries):
    ApprovalFactory.create_batch(40)
    client = api(developer)
    with django_assert_max_num_queries(8):
        small = client.get("/api/v1/servers/?page_size=5")
    with django_assert_max_num_queries(8):
        large = client.get("/api/v1/servers/?page_size=40")
    assert len(small.json()["results"]) == 5
    assert len(large.json()["results"]) == 40


def test_audit_trail_is_for_security_and_admins(api, developer, security, admin_user, file):
    request = file()
    assert api(developer).get("/api/v1/audit/").status_code == 403
    body = api(security).get(
        f"/api/v1/audit/?object_type=approvals.request&object_pk={request.pk}").json()
    assert body["count"] >= 1
    assert body["results"][0]["actor"] == "dev"
    assert api(admin_user).get("/api/v1/audit/?actor=dev").json()["count"] >= 1
    assert api(security).get("/api/v1/audit/?since=not-a-date").status_code == 400


def test_unknown_api_paths_answer_json_404(api, developer):
    response = api(developer).get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_schema_and_docs_are_for_signed_in_users_and_tokens(client, api, developer):
    assert client.get("/api/schema/").status_code in (401, 403)
    assert client.get("/api/docs/").status_code in (401, 403)
    assert api(developer).get("/api/schema/").status_code == 200


def test_schema_and_docs_are_served_without_the_internet(client, developer):
    client.force_login(developer)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/check" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', docs)
    assert assets and all(url.startswith("/static/drf_spectacular_sidecar/") for url in assets)
    assert all(client.get(url).status_code == 200 for url in assets)


@pytest.mark.django_db
def test_user_creates_and_revokes_their_token_from_the_page(client, developer):
    client.force_login(developer)
    page = client.get(reverse("tokens"))
    assert b"You have no token" in page.content
    page = client.post(reverse("tokens"), {"action": "create", "name": "laptop hook",
                                           "expires": "90"}, follow=True)
    key = re.search(r'id="new-token"><code>([^<]+)</code>', page.content.decode()).group(1)
    token = ApiToken.objects.get(user=developer)
    assert key.startswith(token.token_key) and token.name == "laptop hook"
    assert key.encode() not in client.get(reverse("tokens")).content  # shown once
    client.post(reverse("tokens"), {"action": "revoke", "token": token.digest})
    assert not ApiToken.objects.filter(user=developer).exists()


def test_token_page_needs_sign_in(client):
    response = client.get(reverse("tokens"))
    assert response.status_code == 302


def test_hook_is_served_as_a_download(api, developer):
    response = api(developer).get("/api/v1/client/mcp_governance_hook.py")
    assert response.status_code == 200
    assert b"PreToolUse" in b"".join(response.streaming_content)


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
