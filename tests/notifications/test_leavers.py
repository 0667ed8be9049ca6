"""A leaver's work (SPEC §10): deactivating someone sends their reviews back to the queue,
lists what they own for the security team, and tells the security team once. A sign-off
they gave while they held the role still counts."""

import pytest
from django.core import mail

from accounts import identity
from approvals import services as workflow
from approvals.models import Request, RequestEvent
from notifications.models import Notification
from registry.models import Approval
from tests.factories import stdio_config

pytestmark = pytest.mark.django_db


def test_a_leavers_reviews_go_back_to_the_queue(file, security, second_security):
    request = file()
    workflow.assign(actor=security, request=request)
    identity.deactivate_user(user=security, reason="left the company")
    request = Request.objects.get(pk=request.pk)
    assert request.reviewer is None
    event = RequestEvent.objects.filter(request=request, verb="reviewer_left").get()
    assert "back in the queue" in event.detail


def test_the_security_team_is_told_what_to_hand_over(file, approve, developer, security,
                                                     second_security, tech_lead,
                                                     django_capture_on_commit_callbacks):
    approved = approve(file())
    approval = Approval.objects.get(request=approved)
    still_open = file(server_name="other-server", package="@context7/other",
                      config=stdio_config("@context7/other", "1.2.3"), actor=tech_lead)
    workflow.assign(actor=security, request=still_open)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        identity.deactivate_user(user=security, reason="deactivated by the identity provider")
    notice = Notification.objects.get(kind=Notification.Kind.LEAVER)
    assert notice.subject.startswith("Leaver: ") and "work to hand over" in notice.subject
    assert f"#{still_open.pk} other-server" in notice.body  # the review back in the queue
    assert f"context7 {approval.version}" in notice.body  # an approval they signed
    assert set(notice.recipients.all()) == {second_security}
    assert [m.to for m in mail.outbox if "Leaver" in m.subject] == [[second_security.email]]


def test_a_sign_off_given_before_the_role_was_lost_still_counts(file, tech_lead, security):
    request = file()
    workflow.assign(actor=security, request=request)
    workflow.set_assessment(actor=security, request=request, risk="LOW")
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve",
                      comment="Fine.")
    identity.apply_roles(user=tech_lead, roles={"member"}, source="sign-in")
    workflow.sign_off(actor=security, request=request, role="security_team",
                      decision="approve", comment="Reviewed.")
    request.refresh_from_db()
    assert request.status == "approved"


def test_a_request_no_one_left_can_sign_is_flagged_in_the_queue(file, security, tech_lead,
                                                                client_for):
    request = file()
    page = client_for(security).get("/queue/").content.decode()
    assert "no one can sign as tech_lead" not in page
    identity.apply_roles(user=tech_lead, roles={"member"}, source="sign-in")
    page = client_for(security).get("/queue/").content.decode()
    assert f"#{request.pk} context7" in page and "no one can sign as tech_lead" in page


def test_the_approvals_a_leaver_owns_are_listed_for_hand_over(
        file, approve, developer, security, tech_lead, django_capture_on_commit_callbacks):
    # The requester owns the approval when no other owner is named.
    approval = Approval.objects.get(request=approve(file()))
    assert approval.owner in (None, developer)
    with django_capture_on_commit_callbacks(execute=True):
        identity.deactivate_user(user=developer, reason="left the company")
    notice = Notification.objects.get(kind=Notification.Kind.LEAVER)
    assert "work to hand over" in notice.subject
    assert "Active approvals they own" in notice.body
    assert f"context7 {approval.version}" in notice.body


def test_an_approval_whose_named_owner_leaves_is_listed(file, approve, developer, security,
                                                        tech_lead):
    approval = Approval.objects.get(request=approve(file()))
    approval.owner = tech_lead
    approval.save()
    identity.deactivate_user(user=tech_lead, reason="left the company")
    notice = Notification.objects.get(kind=Notification.Kind.LEAVER)
    owned = notice.body.split("Active approvals they own")[1]
    assert f"context7 {approval.version}" in owned
