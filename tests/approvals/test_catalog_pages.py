"""Catalog and server pages: what is approved, pending and denied, and why."""

import datetime as dt

import pytest
from django.utils import timezone

from approvals import services as workflow
from tests.factories import ApprovalFactory, RequestFactory, ServerFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_catalog_shows_active_pending_and_denied_servers(client_for, developer, active_approval,
                                                          file, tech_lead):
    file(server_name="github-mcp", source="https://github.com/x/y", package="@x/github",
         config={"command": "npx", "args": ["-y", "@x/github@1.0.0"]}, version="1.0.0")
    denied = file(server_name="browser-automation", source="https://github.com/x/b",
                  package="@x/b", version="2.0.0",
                  config={"command": "npx", "args": ["-y", "@x/b@2.0.0"]})
    workflow.sign_off(actor=tech_lead, request=denied, role="tech_lead", decision="deny",
                      reason="No URL restriction.", alternative="Use playwright-mcp.")
    html = client_for(developer).get("/").content.decode()
    assert "context7" in html and "github-mcp" in html and "browser-automation" in html
    assert 'badge active">active' in html
    assert 'badge pending">pending' in html
    assert 'badge denied">denied' in html


def test_a_new_server_asked_for_and_withdrawn_leaves_no_row_in_the_catalog(
        client_for, developer, active_approval, file):
    filed = file(server_name="github-mcp", source="https://github.com/x/y", package="@x/github",
                 config={"command": "npx", "args": ["-y", "@x/github@1.0.0"]}, version="1.0.0")
    client = client_for(developer)
    assert "github-mcp" in client.get("/").content.decode()
    workflow.withdraw(actor=developer, request=filed)
    html = client.get("/").content.decode()
    assert "github-mcp" not in html and 'badge none"' not in html
    assert "context7" in html


def test_catalog_filters_by_status_risk_scope_and_name(client_for, developer):
    ApprovalFactory(server__name="low-public", risk="LOW", data_scope="PUBLIC")
    ApprovalFactory(server__name="high-confidential", risk="HIGH", data_scope="CONFIDENTIAL")
    RequestFactory(server=ServerFactory(name="waiting-one"))
    client = client_for(developer)
    html = client.get("/", {"risk": "HIGH"}).content.decode()
    assert "high-confidential" in html and "low-public" not in html
    html = client.get("/", {"scope": "PUBLIC"}).content.decode()
    assert "low-public" in html and "high-confidential" not in html
    html = client.get("/", {"status": "pending"}).content.decode()
    assert "waiting-one" in html and "low-public" not in html
    html = client.get("/", {"search": "low"}).content.decode()
    assert "low-public" in html and "waiting-one" not in html


def test_catalog_query_count_does_not_grow_with_servers(client_for, developer,
                                                         django_assert_max_num_queries):
    client = client_for(developer)
    for i in range(3):
        ApprovalFactory(server__name=f"few-{i}")
    with django_assert_max_num_queries(12) as few:
        client.get("/")
    for i in range(20):
        ApprovalFactory(server__name=f"many-{i}")
        RequestFactory(server=ServerFactory(name=f"pending-{i}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/")
    assert response.status_code == 200


def test_server_page_shows_approval_history_open_requests_and_denials(
        client_for, developer, active_approval, file, tech_lead):
    bump = file(kind="version_bump", server_name="context7", version="1.2.4",
                config={"command": "npx", "args": ["-y", "@context7/mcp-server@1.2.4"]})
    html = client_for(developer).get("/servers/context7/").content.decode()
    assert "1.2.3" in html and "Read-only lookups." in html
    assert "days left" in html
    assert f"/requests/{bump.pk}/" in html
    assert "Request a version bump" in html


def test_server_page_shows_denial_reason_and_alternative(client_for, developer, file,
                                                          tech_lead):
    denied = file()
    workflow.sign_off(actor=tech_lead, request=denied, role="tech_lead", decision="deny",
                      reason="Sends queries to a third party.",
                      alternative="Use the internal docs search.")
    html = client_for(developer).get("/servers/context7/").content.decode()
    assert "Sends queries to a third party." in html
    assert "Use the internal docs search." in html


def test_unknown_server_is_a_404(client_for, developer):
    assert client_for(developer).get("/servers/nope/").status_code == 404


def test_server_page_query_count_does_not_grow_with_its_history(
        client_for, developer, django_assert_max_num_queries):
    from registry.models import Approval

    server = ServerFactory(name="busy")
    ApprovalFactory(server=server, status=Approval.Status.SUPERSEDED, version="0.9.0")
    client = client_for(developer)
    with django_assert_max_num_queries(16) as few:
        client.get("/servers/busy/")
    for i in range(10):
        ApprovalFactory(server=server, status=Approval.Status.SUPERSEDED, version=f"1.{i}.0")
        RequestFactory(server=server, version=f"2.{i}.0")
        RequestFactory(server=server, version=f"3.{i}.0", status="denied",
                       denial_reason="No.")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/servers/busy/").content.decode()
    assert "1.9.0" in html and "2.9.0" in html


def _lapsed(name="lapsed"):
    """Past its expiry, still marked active: the nightly job has not run yet."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    return ApprovalFactory(server__name=name, version="4.5.6", risk="HIGH",
                           data_scope="CONFIDENTIAL",
                           approved_date=yesterday - dt.timedelta(days=30), expires=yesterday)


def test_catalog_does_not_show_an_approval_past_its_expiry_as_active(client_for, developer):
    _lapsed()
    client = client_for(developer)
    html = client.get("/").content.decode()
    row = html.split('href="/servers/lapsed/"')[1].split("</tr>")[0]
    assert 'badge expired">expired' in row and "4.5.6" not in row
    for query in ({"risk": "HIGH"}, {"scope": "CONFIDENTIAL"}):
        assert "/servers/lapsed/" not in client.get("/", query).content.decode(), query


def test_server_page_does_not_show_an_approval_past_its_expiry_as_active(client_for,
                                                                         developer):
    _lapsed()
    html = client_for(developer).get("/servers/lapsed/").content.decode()
    assert "badge active" not in html
    assert "No active approval" in html
    assert "Request this server" in html
    assert 'badge expired">expired' in html  # the version history says so too


def _open_and_denied(file, tech_lead):
    denied = file(version="1.0.0", config={"command": "npx",
                                           "args": ["-y", "@context7/mcp-server@1.0.0"]})
    workflow.sign_off(actor=tech_lead, request=denied, role="tech_lead", decision="deny",
                      reason="Sends queries to a third party.",
                      alternative="Use the internal docs search.")
    pending = file(what_changed="Self-hosted now.")
    return pending, denied


def test_server_page_hides_who_filed_from_other_developers(client_for, developer,
                                                           other_developer, file, tech_lead):
    pending, denied = _open_and_denied(file, tech_lead)
    html = client_for(other_developer).get("/servers/context7/").content.decode()
    assert f"/requests/{pending.pk}/" not in html and f"/requests/{denied.pk}/" not in html
    assert f"by {developer.username}" not in html
    assert "requested by" not in html
    assert f"#{pending.pk}" in html  # the open request is still listed
    assert "Sends queries to a third party." in html  # what was denied and why
    assert "Use the internal docs search." in html
    catalog = client_for(other_developer).get("/").content.decode()
    assert f"/requests/{pending.pk}/" not in catalog and f"#{pending.pk}" in catalog


@pytest.mark.parametrize("viewer", ["developer", "tech_lead"])
def test_server_page_shows_who_filed_to_the_requester_and_reviewers(
        request, client_for, developer, file, tech_lead, viewer):
    pending, denied = _open_and_denied(file, tech_lead)
    client = client_for(request.getfixturevalue(viewer))
    html = client.get("/servers/context7/").content.decode()
    assert f"/requests/{pending.pk}/" in html and f"/requests/{denied.pk}/" in html
    assert f"by {developer.username}" in html
    assert f"requested by {developer.username}" in html
    assert f"/requests/{pending.pk}/" in client.get("/").content.decode()
