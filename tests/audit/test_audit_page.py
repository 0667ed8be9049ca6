"""The audit trail page: for the security team; one object's history, by actor and date."""

import datetime as dt

import pytest
from django.utils import timezone

from approvals import services as workflow

pytestmark = pytest.mark.django_db


def test_audit_shows_history_of_one_object_filtered_by_actor(client_for, security, file,
                                                             tech_lead, developer):
    request = file()
    workflow.assign(actor=security, request=request)
    client = client_for(security)
    response = client.get("/audit/", {"type": "approvals.request", "id": request.pk})
    entries = list(response.context["page"])
    assert entries and all(e.object_pk == str(request.pk) for e in entries)
    assert {e.actor.username for e in entries} >= {"dev", "sec"}
    only_sec = client.get("/audit/", {"type": "approvals.request", "id": request.pk,
                                      "actor": "sec"}).context["page"]
    assert {e.actor.username for e in only_sec} == {"sec"}


def test_audit_filters_by_date(client_for, admin_user, file):
    file()
    client = client_for(admin_user)
    today = timezone.localdate()
    assert len(client.get("/audit/", {"since": today.isoformat()}).context["page"]) > 0
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert len(client.get("/audit/", {"since": tomorrow}).context["page"]) == 0
    response = client.get("/audit/", {"since": "yesterday"})
    assert "use a date such as" in response.content.decode()


def test_audit_query_count_does_not_grow(client_for, security, file,
                                         django_assert_max_num_queries):
    client = client_for(security)
    request = file()
    with django_assert_max_num_queries(12) as few:
        client.get("/audit/")
    for i in range(10):
        workflow.add_comment(actor=security, request=request, body=f"c{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/audit/").status_code == 200


def test_tech_lead_cannot_read_the_audit(client_for, tech_lead):
    assert client_for(tech_lead).get("/audit/").status_code == 403
