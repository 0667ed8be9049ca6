"""SPEC §3's role table through the API: every role against every read and every review
action, each cell either refused (403) or allowed."""

import pytest
from auditlog.models import LogEntry

from registry.services import build_export

ROLES = ["developer", "tech_lead", "security", "director", "platform", "admin_user"]
READS = {
    # path: roles allowed (everyone else 403)
    "/api/v1/servers/": set(ROLES),
    "/api/v1/requests/": set(ROLES),
    "/api/v1/exports/": {"security", "platform", "admin_user"},
    "/api/v1/exports/latest/managed-mcp.json": {"security", "platform", "admin_user"},
    "/api/v1/audit/": {"security", "admin_user"},
    "/api/v1/campaigns/": {"security", "admin_user"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", list(READS))
def test_reads_follow_the_role_table(request, api, role, path, active_approval):
    build_export(cause="test")
    user = request.getfixturevalue(role)
    response = api(user).get(path)
    expected = 200 if role in READS[path] else 403
    assert response.status_code == expected, response.content[:200]


@pytest.mark.parametrize("role", ROLES)
def test_only_security_claims_and_moves_requests(request, api, role, file, developer):
    target = file()
    user = request.getfixturevalue(role)
    client = api(user)
    claim = client.post(f"/api/v1/requests/{target.pk}/assign/", {}, format="json")
    move = client.post(f"/api/v1/requests/{target.pk}/transition/",
                       {"status": "sandbox_trial"}, format="json")
    assess = client.post(f"/api/v1/requests/{target.pk}/assessment/", {"risk": "LOW"},
                         format="json")
    if role == "security":
        assert (claim.status_code, move.status_code, assess.status_code) == (200, 200, 200)
        assert LogEntry.objects.filter(object_pk=str(target.pk), actor=user).exists()
    elif role in ("developer", "tech_lead", "director", "admin_user"):
        # the requester and the other queue roles see it, but may not review it
        assert {claim.status_code, move.status_code, assess.status_code} == {403}
    else:  # platform: not a reviewer, not the requester: the request does not exist for them
        assert {claim.status_code, move.status_code, assess.status_code} == {404}


@pytest.mark.parametrize("role,allowed", [("tech_lead", True), ("security", True),
                                          ("director", False), ("platform", False)])
def test_sign_off_needs_a_role_on_the_route(request, api, role, allowed, file):
    target = file()
    user = request.getfixturevalue(role)
    role_name = {"tech_lead": "tech_lead", "security": "security_team",
                 "director": "engineering_director", "platform": "platform_team"}[role]
    response = api(user).post(f"/api/v1/requests/{target.pk}/signoffs/",
                              {"role": role_name, "decision": "deny",
                               "reason": "Not needed."}, format="json")
    if allowed:
        assert response.status_code == 201, response.content
    else:
        assert response.status_code in (400, 403, 404), response.content
        assert response.json()["errors"] or response.json()["detail"]


def test_export_and_audit_lists_keep_their_query_count(api, security, active_approval,
                                                       django_assert_max_num_queries):
    from tests.factories import ApprovalFactory

    for n in range(12):
        ApprovalFactory(server__name=f"s-{n}")
        build_export(cause=f"change {n}")
    client = api(security)
    for path in ("/api/v1/exports/", "/api/v1/audit/"):
        with django_assert_max_num_queries(5):
            small = client.get(f"{path}?page_size=2")
        with django_assert_max_num_queries(5):
            large = client.get(f"{path}?page_size=100")
        assert len(small.json()["results"]) == 2
        assert len(large.json()["results"]) > 10
