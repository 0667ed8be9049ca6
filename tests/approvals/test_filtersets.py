"""One FilterSet per list, shared by the page and the API (approvals/filtersets.py): the
review queue and GET /api/v1/requests/, the catalog and GET /api/v1/servers/. The same
query gives the same rows on both; a bad value is a clear message naming the field and the
values it takes, on the page (400, nothing listed) and in the API (400), never a 500."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import ApprovalFactory, RequestFactory, ServerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(security, second_security):
    now = timezone.now()
    return {
        "late": RequestFactory(server=ServerFactory(name="late-one"), reviewer=security,
                               risk="HIGH", expected_decision=now - dt.timedelta(days=2)),
        "theirs": RequestFactory(server=ServerFactory(name="theirs"), reviewer=second_security,
                                 proposed_data_scope="CONFIDENTIAL"),
        "unclaimed": RequestFactory(server=ServerFactory(name="nobody"), kind="renewal"),
    }


@pytest.mark.parametrize(("page_query", "api_query", "expected"), [
    ({"overdue": "1"}, {"overdue": "true"}, {"late"}),
    ({"mine": "1"}, {"mine": "true"}, {"late"}),
    ({"assignee": "none"}, {"assignee": "none"}, {"unclaimed"}),
    ({"risk": "HIGH"}, {"risk": "HIGH"}, {"late"}),
    ({"scope": "CONFIDENTIAL"}, {"scope": "CONFIDENTIAL"}, {"theirs"}),
    ({"kind": "renewal"}, {"kind": "renewal"}, {"unclaimed"}),
])
def test_the_queue_and_the_requests_api_filter_alike(client_for, api, security, three,
                                                     page_query, api_query, expected):
    ids = {three[name].pk for name in expected}
    page = client_for(security).get("/queue/", page_query)
    assert {r.pk for r in page.context["page"]} == ids
    body = api(security).get("/api/v1/requests/", api_query).json()
    assert {r["id"] for r in body["results"]} == ids


def test_the_queue_lists_open_requests_unless_a_status_is_asked_for(client_for, security,
                                                                    three):
    denied = RequestFactory(server=ServerFactory(name="said-no"), status="denied")
    client = client_for(security)
    open_ids = {r.pk for r in three.values()}
    assert {r.pk for r in client.get("/queue/").context["page"]} == open_ids
    assert {r.pk for r in client.get("/queue/", {"status": ""}).context["page"]} == open_ids
    assert [r.pk for r in client.get("/queue/", {"status": "denied"}).context["page"]] == [
        denied.pk]


@pytest.mark.parametrize(("query", "field", "words"), [
    ({"kind": "upgrade"}, "kind", "unknown value 'upgrade': use one of new_server"),
    ({"status": "bogus"}, "status", "unknown value 'bogus': use one of under_review"),
    ({"overdue": "maybe"}, "overdue", "unknown value 'maybe': use true or false"),
])
def test_a_bad_queue_filter_is_named_on_the_page_and_lists_nothing(client_for, security,
                                                                   three, query, field, words):
    response = client_for(security).get("/queue/", query)
    assert response.status_code == 400
    assert f"{field}: {words}" in response.content.decode().replace("&#x27;", "'")
    assert len(response.context["page"]) == 0


@pytest.mark.parametrize(("query", "field", "words"), [
    ("kind=upgrade", "kind", "unknown value 'upgrade': use one of new_server"),
    ("open=maybe", "open", "use true or false"),
    ("scope=SECRET", "scope", "use one of PUBLIC, INTERNAL, CONFIDENTIAL, RESTRICTED"),
])
def test_a_bad_requests_api_filter_answers_400_naming_the_field(api, security, query, field,
                                                                words):
    response = api(security).get(f"/api/v1/requests/?{query}")
    assert response.status_code == 400
    assert words in response.json()["errors"][field][0]


def test_the_catalog_and_the_servers_api_filter_alike(client_for, api, developer):
    ApprovalFactory(server__name="low-public", risk="LOW", data_scope="PUBLIC")
    ApprovalFactory(server__name="high-confidential", risk="HIGH", data_scope="CONFIDENTIAL")
    for query, names in (({"risk": "HIGH"}, ["high-confidential"]),
                         ({"scope": "PUBLIC"}, ["low-public"]),
                         ({"search": "high", "status": "active"}, ["high-confidential"])):
        page = client_for(developer).get("/", query)
        assert [s.name for s in page.context["page"]] == names, query
        body = api(developer).get("/api/v1/servers/", query).json()
        assert [s["name"] for s in body["results"]] == names, query


def test_a_bad_catalog_filter_is_named_on_the_page_and_in_the_api(client_for, api, developer):
    ApprovalFactory(server__name="low-public", risk="LOW", data_scope="PUBLIC")
    page = client_for(developer).get("/", {"status": "retired"})
    assert page.status_code == 400
    assert ("status: unknown value 'retired': use one of active, pending, denied, expired"
            in page.content.decode().replace("&#x27;", "'"))
    assert len(page.context["page"]) == 0
    response = api(developer).get("/api/v1/servers/?risk=EXTREME")
    assert response.status_code == 400
    assert response.json()["errors"]["risk"] == [
        "unknown value 'EXTREME': use one of LOW, MEDIUM, HIGH"]
