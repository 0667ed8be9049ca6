"""The audit trail's one FilterSet (audit/filtersets.py), shared by the page and the API:
the page's names (type, id) and the API's (object_type, object_pk) work on both; a day or
a time bounds the entries; a bad value is named, never a 500."""

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_the_page_and_the_api_find_one_objects_entries_by_either_name(client_for, api,
                                                                       security, file):
    request = file()
    other = file(server_name="other-one", source="https://github.com/o/o", package="@o/o",
                 config={"command": "npx", "args": ["-y", "@o/o@1.2.3"]})
    page = client_for(security).get("/audit/", {"object_type": "approvals.request",
                                                "object_pk": request.pk})
    assert {e.object_pk for e in page.context["page"]} == {str(request.pk)}
    body = api(security).get("/api/v1/audit/", {"type": "approvals.request",
                                                 "id": other.pk}).json()
    assert {e["object_pk"] for e in body["results"]} == {str(other.pk)}


def test_a_day_bounds_the_api_as_it_bounds_the_page(api, security, file):
    file()
    today = timezone.localdate().isoformat()
    client = api(security)
    assert client.get("/api/v1/audit/", {"since": today, "until": today}).json()["count"] > 0
    assert client.get("/api/v1/audit/", {"until": "2000-01-01"}).json()["count"] == 0


@pytest.mark.parametrize(("query", "field", "words"), [
    ({"type": "nothing.here"}, "type", "unknown object type 'nothing.here'"),
    ({"object_type": "approvals"}, "object_type", "use app_label.model"),
    ({"since": "2026-13-45"}, "since", "use a date such as 2026-01-31"),
    ({"action": "erase"}, "action", "unknown value 'erase'"),
])
def test_a_bad_audit_filter_is_named_on_the_page_and_in_the_api(client_for, api, security,
                                                                query, field, words):
    page = client_for(security).get("/audit/", query)
    assert page.status_code == 400
    assert words in page.content.decode().replace("&#x27;", "'")
    assert len(page.context["page"]) == 0
    response = api(security).get("/api/v1/audit/", query)
    assert response.status_code == 400
    assert words in response.json()["errors"][field][0]
