"""Approvers are told (issue 11, point 1): every person whose role a route needs is told
once when the request waits on them, every page counts what waits on them, and "Waiting
for me" lists it soonest due first."""

import datetime as dt

import pytest
from django.core import mail
from django.test import RequestFactory as HttpRequests
from django.urls import reverse

from accounts.delegations import delegates_today
from approvals import services as workflow
from approvals.context_processors import waiting
from approvals.models import Request
from approvals.waiting import WAITING_COUNT_CAP
from governance.models import DataClassification
from notifications.models import Notification
from tests.approvals.services.helpers import bump
from tests.factories import RequestFactory, UserFactory

pytestmark = pytest.mark.django_db


def turn_mails(user):
    return [m.subject for m in mail.outbox
            if user.email in m.to and m.subject.startswith("Waiting for your sign-off")]


def test_everyone_whose_role_the_route_needs_is_told_once(
        file, developer, tech_lead, second_tech_lead, security, director, client_for,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = file()
    subject = f"Waiting for your sign-off as tech_lead: request #{request.pk} (context7 1.2.3)"
    assert turn_mails(tech_lead) == [subject]
    assert turn_mails(second_tech_lead) == [subject]
    assert turn_mails(security) == [subject.replace("tech_lead", "security_team")]
    assert turn_mails(director) == [] and turn_mails(developer) == []
    # One mail to the security team about the filing, not a "New request" beside it; the
    # requester still hears of it.
    assert [m.subject for m in mail.outbox if security.email in m.to] == [
        subject.replace("tech_lead", "security_team")]
    assert any(developer.email in m.to and m.subject.startswith("New request")
               for m in mail.outbox)
    (mailed,) = [m for m in mail.outbox if m.subject == subject]
    assert "Due: " in mailed.body and "Route: new server" in mailed.body

    with django_capture_on_commit_callbacks(execute=True):  # later events tell no one again
        workflow.add_comment(actor=developer, request=request, body="Any questions?")
        workflow.assign(actor=security, request=request)
    assert len(turn_mails(tech_lead)) == 1
    # In the portal too, in the person's notification list.
    page = client_for(second_tech_lead).get(reverse("notifications")).content.decode()
    assert "Waiting for your sign-off as tech_lead" in page


def test_a_high_risk_tells_the_director_whose_sign_off_it_adds(
        file, security, director, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = file()
        assert turn_mails(director) == []
        workflow.set_assessment(actor=security, request=request, risk="HIGH")
    assert turn_mails(director) == [
        f"Waiting for your sign-off as engineering_director: request #{request.pk} "
        "(context7 1.2.3)"]


def test_a_requester_who_holds_the_role_is_not_told_to_sign_their_own(
        file, tech_lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        file(actor=tech_lead)
    assert turn_mails(tech_lead) == []


def test_everyone_is_told_again_when_the_earlier_sign_offs_were_set_aside(
        active_approval, file, developer, tech_lead, security,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = bump(file, "1.3.0")  # minor: the security team's
        workflow.transition(actor=security, request=request, status="needs_info",
                            notes="Which tools does it add?")
        workflow.resubmit(actor=developer, request=request, notes="It adds none.")
    assert len(turn_mails(security)) == 1  # nothing was set aside: the same round
    with django_capture_on_commit_callbacks(execute=True):
        second = bump(file, "2.0.0")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.sign_off(actor=security, request=second, role="security_team",
                          decision="approve", comment="Reviewed.")
        workflow.transition(actor=security, request=second, status="needs_info",
                            notes="Pin 2.0.1 instead?")
        workflow.resubmit(actor=developer, request=second, version="2.0.1",
                          config={"command": "npx", "args": ["-y", "@context7/mcp-server@2.0.1"]})
    assert turn_mails(security).count(
        f"Waiting for your sign-off as security_team: request #{second.pk} (context7 2.0.1)") == 1
    assert Notification.objects.filter(key__startswith=f"turn:{second.pk}:security_team").count(
    ) == 2


def test_the_count_and_the_list_show_what_waits_on_me_soonest_due_first(
        file, developer, other_developer, tech_lead, security, client_for):
    later = file()
    sooner = file(actor=other_developer, server_name="fetch", version="0.6.2",
                  package="mcp-server-fetch", package_registry="pypi",
                  source="https://github.com/modelcontextprotocol/servers",
                  config={"command": "uvx", "args": ["mcp-server-fetch==0.6.2"]})
    type(sooner).objects.filter(pk=sooner.pk).update(
        expected_decision=later.expected_decision - dt.timedelta(days=2))
    client = client_for(tech_lead)
    page = client.get(reverse("catalog")).content.decode()
    assert 'id="waiting-count">2<' in page
    listing = client.get(reverse("waiting-for-me")).content.decode()
    assert listing.index(f"#{sooner.pk} fetch") < listing.index(f"#{later.pk} context7")

    workflow.sign_off(actor=tech_lead, request=later, role="tech_lead", decision="approve")
    listing = client.get(reverse("waiting-for-me")).content.decode()
    assert f"#{later.pk} context7" not in listing and f"#{sooner.pk} fetch" in listing
    assert 'id="waiting-count">1<' in listing
    # The security team still waits on the first.
    assert f"#{later.pk} context7" in client_for(security).get(
        reverse("waiting-for-me")).content.decode()


def test_people_without_a_signing_role_see_no_count_and_cost_no_query(
        developer, client_for, django_assert_num_queries):
    http_request = HttpRequests().get("/")
    http_request.user = developer
    developer._portal_roles = frozenset()
    delegates_today()  # who signs for someone today: read once a day, then cached
    with django_assert_num_queries(0):
        assert waiting(http_request) == {"can_sign": False, "waiting_for_me": 0}
    assert 'id="waiting-link"' not in client_for(developer).get(
        reverse("catalog")).content.decode()


def test_the_count_is_two_queries_once_the_policy_is_read(file, tech_lead,
                                                          django_assert_num_queries):
    """The registry revision (which says whether the policy read is still the one in
    force) and the count itself."""
    file()
    http_request = HttpRequests().get("/")
    http_request.user = tech_lead
    assert waiting(http_request)["waiting_for_me"] == 1
    with django_assert_num_queries(2):
        assert waiting(http_request)["waiting_for_me"] == 1


def test_a_policy_edit_changes_the_count_at_once(file, director, admin_user):
    file(proposed_data_scope="INTERNAL")
    http_request = HttpRequests().get("/")
    http_request.user = director
    assert waiting(http_request)["waiting_for_me"] == 0
    DataClassification.objects.update_or_create(
        data_scope="INTERNAL", defaults={"mcp_access": "RESTRICTED",
                                         "extra_approver": "engineering_director"})
    assert waiting(http_request)["waiting_for_me"] == 1


def test_a_new_holder_of_the_role_sees_it_waiting(file, client_for):
    request = file()
    newcomer = UserFactory(username="lead3", roles=["tech_lead"])
    assert f"#{request.pk} context7" in client_for(newcomer).get(
        reverse("waiting-for-me")).content.decode()


def test_the_menu_counts_up_to_99_plus_and_the_page_counts_them_all(
        tech_lead, developer, client_for):
    """Past 99 the menu says "99+" (it counts on every page and stops there); the "Waiting
    for me" page still lists and counts every one."""
    RequestFactory.create_batch(WAITING_COUNT_CAP + 2, requester=developer)
    client = client_for(tech_lead)
    page = client.get(reverse("catalog")).content.decode()
    assert 'id="waiting-count">99+<' in page
    listing = client.get(reverse("waiting-for-me"))
    assert listing.context["page"].paginator.count == WAITING_COUNT_CAP + 2
    Request.objects.filter(pk__in=list(Request.objects.filter(
        requester=developer).values_list("pk", flat=True)[:3])).delete()
    assert 'id="waiting-count">99<' in client.get(reverse("catalog")).content.decode()
