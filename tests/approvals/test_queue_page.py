"""The review queue page: soonest due first, its filters, its query count, claiming from it.
The filters it shares with the requests API are tested in test_filtersets.py."""

import datetime as dt

import pytest
from django.utils import timezone

from approvals.models import Request
from governance.models import DataClassification
from tests.factories import RequestFactory, ServerFactory

pytestmark = pytest.mark.django_db


def test_queue_orders_by_due_date_and_marks_overdue(client_for, security):
    now = timezone.now()
    late = RequestFactory(server=ServerFactory(name="late-one"),
                          expected_decision=now - dt.timedelta(days=2))
    later = RequestFactory(server=ServerFactory(name="later-one"),
                           expected_decision=now + dt.timedelta(days=9))
    soon = RequestFactory(server=ServerFactory(name="soon-one"),
                          expected_decision=now + dt.timedelta(days=1))
    response = client_for(security).get("/queue/")
    assert [r.pk for r in response.context["page"]] == [late.pk, soon.pk, later.pk]
    assert 'class="overdue"' in response.content.decode()


def test_queue_filters_by_kind_assignee_mine_and_scope(client_for, security, second_security):
    a = RequestFactory(server=ServerFactory(name="mine-one"), reviewer=security)
    b = RequestFactory(server=ServerFactory(name="theirs"), reviewer=second_security,
                       proposed_data_scope="CONFIDENTIAL")
    c = RequestFactory(server=ServerFactory(name="nobody"), kind="renewal")
    client = client_for(security)

    def pks(**params):
        return {r.pk for r in client.get("/queue/", params).context["page"]}

    assert pks(mine="1") == {a.pk}
    assert pks(assignee="sec2") == {b.pk}
    assert pks(assignee="none") == {c.pk}
    assert pks(kind="renewal") == {c.pk}
    assert pks(scope="CONFIDENTIAL") == {b.pk}


def test_queue_query_count_does_not_grow_and_pages(client_for, security,
                                                   django_assert_max_num_queries):
    client = client_for(security)
    RequestFactory(reviewer=security)
    client.get("/queue/")  # the policy is read once per registry revision
    # The session, the reader and their roles; the revision (the policy read is current);
    # the role holders; the count and the page of requests; their sign-offs; the reader's
    # unread notices and what waits on their sign-off.
    with django_assert_max_num_queries(10) as few:
        client.get("/queue/")
    for _ in range(30):
        RequestFactory(reviewer=security)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/queue/")
    assert len(response.context["page"]) == 25
    assert "Next" in response.content.decode()


def test_security_claims_from_the_queue(client_for, security, file):
    request = file()
    client = client_for(security)
    assert "Claim request #" in client.get("/queue/").content.decode()
    response = client.post(f"/requests/{request.pk}/", {"action": "claim"})
    assert response.status_code == 302
    assert Request.objects.get(pk=request.pk).reviewer == security


def test_tech_lead_sees_the_queue_without_claim_buttons(client_for, tech_lead, file):
    file()
    html = client_for(tech_lead).get("/queue/").content.decode()
    assert "context7" in html and "Claim request #" not in html


def test_a_policy_edit_shows_in_the_queues_sign_offs_at_once(client_for, security):
    """The queue reads the policy once per registry revision; an edit of a policy row
    moves the revision, so the next page shows the new route."""
    RequestFactory(reviewer=security, proposed_data_scope="INTERNAL")
    client = client_for(security)

    def roles():
        return [role for role, _ in client.get("/queue/").context["page"][0].steps]

    before = roles()
    assert "engineering_director" not in before
    DataClassification.objects.update_or_create(
        data_scope="INTERNAL",
        defaults={"mcp_access": "ALLOWED", "extra_approver": "engineering_director"})
    assert roles() == [*before, "engineering_director"]
