"""The dashboard, for reviewers and the platform team."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from approvals import services as workflow
from tests.factories import ApprovalFactory, RequestFactory

pytestmark = pytest.mark.django_db


def test_dashboard_counts_expiring_overdue_and_draws_charts(client_for, security):
    today = timezone.localdate()
    ApprovalFactory(server__name="soon", expires=today + dt.timedelta(days=10))
    ApprovalFactory(server__name="later", expires=today + dt.timedelta(days=75))
    ApprovalFactory(server__name="far", expires=today + dt.timedelta(days=170))
    late = RequestFactory(expected_decision=timezone.now() - dt.timedelta(days=1))
    response = client_for(security).get("/dashboard/")
    assert response.context["expiring"] == {"d30": 1, "d60": 1, "d90": 2}
    assert [r.pk for r in response.context["overdue"]] == [late.pk]
    html = response.content.decode()
    assert "<svg" in html and "Requests by status" in html
    assert "soon" in html and "far" not in html.split("Approvals expiring in the next")[1]


def test_dashboard_for_the_platform_team_leaves_out_the_review_queue(client_for, platform):
    today = timezone.localdate()
    ApprovalFactory(server__name="soon", expires=today + dt.timedelta(days=10))
    late = RequestFactory(server__name="late-one",
                          expected_decision=timezone.now() - dt.timedelta(days=1))
    response = client_for(platform).get("/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Overdue reviews" not in html and "Requests by status" not in html
    assert "/requests/" + str(late.pk) not in html and "late-one" not in html
    assert not re.search(r"/requests/\d+/", html)
    assert "Active approvals by risk" in html and "Active approvals by data scope" in html
    assert "soon" in html.split("Approvals expiring in the next")[1]


def test_dashboard_median_time_to_decision(client_for, platform, file, tech_lead):
    request = file()
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="deny",
                      reason="No.")
    response = client_for(platform).get("/dashboard/")
    assert response.context["decided_count"] == 1
    assert "hours" in response.context["median_text"]


def test_dashboard_query_count_does_not_grow(client_for, security,
                                             django_assert_max_num_queries):
    client = client_for(security)
    # 16, and one for who signs for someone today until it is cached (accounts.delegations),
    # and the revision the first page of a process reads beside the policy's four tables
    with django_assert_max_num_queries(18) as few:
        client.get("/dashboard/")
    for i in range(10):
        ApprovalFactory(server__name=f"s{i}",
                        expires=timezone.localdate() + dt.timedelta(days=20))
        RequestFactory(expected_decision=timezone.now() - dt.timedelta(days=1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/dashboard/").status_code == 200
