"""Dated delegation (issue 15 §2) as people meet it: the delegations page (make, refuse,
end early, the security team's view), signing on a delegator's behalf on the request page
and through the API, the refusals, and what waits on a delegate."""

import datetime as dt

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.models import Delegation
from approvals import services as workflow
from approvals.models import SignOff
from governance.errors import InvalidInput, NotAllowed
from notifications.tasks import deliver_notifications
from tests.approvals.test_request_pages import post
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def deputy(db):
    """A senior developer, holding no role: the tech lead's stand-in for a holiday."""
    return UserFactory(username="deputy")


@pytest.fixture
def holiday(tech_lead, deputy):
    """lead hands tech_lead to deputy from today for five days."""
    return workflow.delegate_signoffs(actor=tech_lead, delegate="deputy", role="tech_lead",
                                      starts=TODAY(), ends=TODAY() + dt.timedelta(days=4),
                                      reason="holiday")


def make(client, **fields):
    data = {"action": "create", "role": "tech_lead", "delegate": "deputy",
            "starts": TODAY().isoformat(), "ends": (TODAY() + dt.timedelta(days=4)).isoformat(),
            "reason": "holiday", **fields}
    return client.post(reverse("delegations"), data)


# ─── the page ───────────────────────────────────────────────────────────────────────


def test_a_tech_lead_delegates_on_the_page_audited_and_the_delegate_is_told(
        client_for, tech_lead, deputy, django_capture_on_commit_callbacks):
    client = client_for(tech_lead)
    with django_capture_on_commit_callbacks(execute=True):
        response = make(client)
    assert response.status_code == 302
    made = Delegation.objects.get()
    assert (made.delegator, made.delegate, made.role, made.created_by) == (
        tech_lead, deputy, "tech_lead", tech_lead)
    html = client.get(reverse("delegations")).content.decode()
    assert "deputy" in html and "in force" in html and "End now" in html
    entry = LogEntry.objects.get_for_object(made).get()
    assert entry.action == LogEntry.Action.CREATE and entry.actor == tech_lead
    told = deputy.mcp_notifications.get(key=f"delegation:{made.pk}:made")
    assert told.subject == (f"lead delegated their tech_lead sign-offs to deputy from "
                            f"{made.starts:%Y-%m-%d} to {made.ends:%Y-%m-%d}")
    # The delegate sees it, and the page is theirs to open though they hold no role.
    mine = client_for(deputy).get(reverse("delegations"))
    assert mine.status_code == 200 and "Delegated to you" in mine.content.decode()


@pytest.mark.parametrize(("fields", "field", "problem"), [
    ({"delegate": "lead"}, "delegate", "you cannot delegate to yourself: name a colleague"),
    ({"delegate": "nobody"}, "delegate", "name an active colleague by username"),
    ({"delegate": "lead2"}, "delegate", "they hold tech_lead already"),
    ({"ends": "2020-01-01", "starts": "2020-01-05"}, "starts", "cannot be in the past"),
    ({"starts": "2099-01-05", "ends": "2099-01-01"}, "ends",
     "the last day comes before the first: the range runs backwards"),
    ({"starts": "tomorrow"}, "starts", "give the first day as YYYY-MM-DD"),
    ({"reason": " "}, "reason", "say why, e.g. 'holiday'"),
    ({"role": "security_team"}, "role", "choose a role you hold: tech_lead"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_made(
        client_for, tech_lead, second_tech_lead, deputy, fields, field, problem):
    response = make(client_for(tech_lead), **fields)
    assert response.status_code == 400
    html = response.content.decode()
    error = html[html.index(f'id="field-{field}"'):]
    assert problem in error[:error.index("</ul>")].replace("&#x27;", "'")
    assert "what you typed is kept" in html
    assert not Delegation.objects.exists()


def test_overlapping_ranges_are_refused_naming_the_other(client_for, tech_lead, holiday,
                                                        other_developer):
    response = make(client_for(tech_lead), delegate="dev2",
                    starts=(TODAY() + dt.timedelta(days=4)).isoformat(),
                    ends=(TODAY() + dt.timedelta(days=9)).isoformat())
    assert response.status_code == 400
    assert (f"these days overlap your delegation of tech_lead from {holiday.starts:%Y-%m-%d} "
            f"to {holiday.ends:%Y-%m-%d}") in response.content.decode()
    assert list(Delegation.objects.all()) == [holiday]


def test_the_api_of_the_service_refuses_the_same_way(tech_lead):
    with pytest.raises(InvalidInput) as refusal:
        workflow.delegate_signoffs(actor=tech_lead, delegate="lead", role="tech_lead",
                                   starts=TODAY(), ends=TODAY(), reason="x")
    assert refusal.value.errors == {
        "delegate": ["you cannot delegate to yourself: name a colleague"]}


def test_the_delegator_ends_a_delegation_early_audited_and_the_delegate_stops(
        client_for, tech_lead, deputy, holiday, file):
    request = file()
    client = client_for(tech_lead)
    response = client.post(reverse("delegations"), {"action": "end", "delegation": holiday.pk})
    assert response.status_code == 302
    holiday.refresh_from_db()
    assert holiday.ended_at is not None and holiday.ended_by == tech_lead
    change = LogEntry.objects.get_for_object(holiday).filter(
        action=LogEntry.Action.UPDATE).get()
    assert change.actor == tech_lead and "ended_at" in change.changes_dict
    refused = post(client_for(deputy), request, "signoff", role="tech_lead", decision="approve")
    assert refused.status_code == 404  # the queue and its requests are no longer theirs
    assert not SignOff.objects.exists()
    again = client.post(reverse("delegations"), {"action": "end", "delegation": holiday.pk})
    assert again.status_code == 409
    assert "This delegation was ended already. Nothing was changed." in again.content.decode()


def test_no_one_else_ends_a_delegation(client_for, second_tech_lead, holiday):
    response = client_for(second_tech_lead).post(
        reverse("delegations"), {"action": "end", "delegation": holiday.pk})
    assert response.status_code == 400
    assert "You have no such delegation; nothing was ended." in response.content.decode()
    holiday.refresh_from_db()
    assert holiday.ended_at is None


def test_the_security_team_sees_every_delegation_others_only_theirs(
        client_for, security, second_tech_lead, developer, holiday, admin_user):
    html = client_for(security).get(reverse("delegations")).content.decode()
    assert 'id="everyone"' in html and "<td>lead</td><td>deputy</td>" in html
    trail = client_for(security).get("/audit/?type=accounts.delegation")
    assert trail.status_code == 200 and "holiday" in trail.content.decode()
    theirs = client_for(second_tech_lead).get(reverse("delegations")).content.decode()
    assert 'id="everyone"' not in theirs and "deputy" not in theirs
    refused = client_for(developer).get(reverse("delegations"))
    assert refused.status_code == 403
    listed = client_for(admin_user).get("/admin/accounts/delegation/")
    assert listed.status_code == 200 and "deputy" in listed.content.decode()


# ─── signing on behalf ──────────────────────────────────────────────────────────────


def test_the_delegate_signs_on_the_page_on_behalf_of_the_delegator(
        client_for, deputy, tech_lead, holiday, file):
    request = file()
    client = client_for(deputy)
    html = client.get(request.get_absolute_url()).content.decode()
    assert "As tech_lead you are signing on behalf of <strong>lead</strong>" in html
    assert "tech_lead, signing on behalf of lead" in html
    response = post(client, request, "signoff", role="tech_lead", decision="approve",
                    comment="Covering for lead.")
    assert response.status_code == 302
    signoff = SignOff.objects.get()
    assert (signoff.user, signoff.on_behalf_of, signoff.role) == (deputy, tech_lead, "tech_lead")
    page = client.get(request.get_absolute_url()).content.decode()
    assert "on behalf of <strong>lead</strong>" in page and "✓ deputy for lead" in page
    assert request.events.filter(detail="as tech_lead on behalf of lead").exists()
    # The delegator is back early: the request's tech_lead sign-off is theirs already.
    refused = workflow.signoff_refusal(actor=tech_lead, request=request)
    assert refused.message == "deputy signed this request off on your behalf already."


def test_the_delegate_signs_through_the_api_on_behalf_of_the_delegator(
        api, deputy, holiday, file):
    request = file()
    answer = api(deputy).post(f"/api/v1/requests/{request.pk}/signoffs/",
                              {"role": "tech_lead", "decision": "approve"}, format="json")
    assert answer.status_code == 201
    assert answer.json()["user"] == "deputy" and answer.json()["on_behalf_of"] == "lead"
    detail = api(deputy).get(f"/api/v1/requests/{request.pk}/").json()
    assert detail["signoffs"][0]["on_behalf_of"] == "lead"
    assert detail["route"]["missing_roles"] == ["security_team"]


def _api_refusal(api, user, request):
    answer = api(user).post(f"/api/v1/requests/{request.pk}/signoffs/",
                            {"role": "tech_lead", "decision": "approve"}, format="json")
    return answer.status_code, answer.json()


def test_never_on_the_delegates_own_request(api, deputy, holiday, file):
    request = file(actor=deputy)
    assert _api_refusal(api, deputy, request) == (403, {
        "detail": "You filed this request, so you cannot sign it off.",
        "errors": {"role": ["the requester never signs off their own request"]}})


def test_never_on_the_delegators_own_request(api, client_for, deputy, tech_lead, holiday,
                                             file):
    request = file(actor=tech_lead)
    status, body = _api_refusal(api, deputy, request)
    assert status == 403 and body["errors"] == {"role": [
        "your delegator filed this request: signing for them would be self-approval by proxy"]}
    html = client_for(deputy).get(request.get_absolute_url()).content.decode()
    assert "Record sign-off" not in html and "self-approval by proxy" in html
    assert not SignOff.objects.exists()


def test_never_twice_on_one_request(api, deputy, holiday, file, security):
    request = file()
    workflow.sign_off(actor=deputy, request=request, role="tech_lead", decision="approve")
    status, body = _api_refusal(api, deputy, request)
    assert status == 409 and body["detail"] == "You have signed off this request already."
    assert SignOff.objects.count() == 1


def test_not_for_a_delegator_who_signed_already(api, deputy, tech_lead, holiday, file):
    request = file()
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve")
    status, body = _api_refusal(api, deputy, request)
    assert status == 409  # the role is covered, and by the person deputy would sign for
    assert SignOff.objects.count() == 1


@pytest.mark.parametrize("days", [-1, 5])
def test_only_during_the_range(api, deputy, tech_lead, file, days):
    workflow.delegate_signoffs(actor=tech_lead, delegate="deputy", role="tech_lead",
                               starts=TODAY() + dt.timedelta(days=1),
                               ends=TODAY() + dt.timedelta(days=4), reason="holiday")
    request = file()
    with time_machine.travel(timezone.now() + dt.timedelta(days=days + 1)):
        status, _ = _api_refusal(api, deputy, request)
        assert status == 404  # outside the range the queue is not theirs to read at all
        with pytest.raises(NotAllowed) as refusal:
            workflow.sign_off(actor=deputy, request=request, role="tech_lead",
                              decision="approve")
    assert refusal.value.errors["role"][0].startswith(
        "your delegation of tech_lead is not in force on ")
    assert not SignOff.objects.exists()


def test_a_delegation_lapses_with_the_delegators_role(api, deputy, tech_lead, holiday, file):
    request = file()
    tech_lead.groups.remove(Group.objects.get(name="tech_lead"))
    assert _api_refusal(api, deputy, request)[0] == 404
    with pytest.raises(NotAllowed) as refusal:
        workflow.sign_off(actor=deputy, request=request, role="tech_lead", decision="approve")
    assert "the delegator no longer holds the role" in refusal.value.errors["role"][0]


# ─── what waits on a delegate ───────────────────────────────────────────────────────


def test_waiting_for_me_lists_the_delegators_requests_during_the_range(
        client_for, deputy, tech_lead, holiday, file, new_server_kwargs):
    waiting = file()
    own = file(actor=tech_lead, server_name="fetch",
               config={**new_server_kwargs["config"]})
    client = client_for(deputy)
    page = client.get(reverse("waiting-for-me")).content.decode()
    assert f"#{waiting.pk} context7" in page and "tech_lead for lead" in page
    assert f"#{own.pk} fetch" not in page  # the delegator's own: never by proxy
    assert 'id="waiting-count">1<' in page
    with time_machine.travel(timezone.now() + dt.timedelta(days=5)):
        client = client_for(deputy)
        later = client.get(reverse("waiting-for-me"))
        assert 'id="waiting-link"' not in client.get(reverse("catalog")).content.decode()
    assert f"#{waiting.pk} context7" not in later.content.decode()


def test_a_delegate_is_told_whose_sign_off_a_new_request_waits_on(
        deputy, holiday, file, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = file()
    told = deputy.mcp_notifications.get(key__startswith=f"turn:{request.pk}:tech_lead:")
    assert told.subject == ("Waiting for your sign-off as tech_lead on behalf of lead: "
                            f"request #{request.pk} (context7 1.2.3)")
    assert told.body.startswith(  # its own role's lines, though security_team waits too
        f"Request #{request.pk} (context7 1.2.3) needs a sign-off as tech_lead.\n"
        "lead delegated their tech_lead sign-offs to you until")


def test_a_delegate_is_told_of_requests_waiting_when_the_delegation_starts(
        deputy, tech_lead, file):
    request = file()  # before any delegation: the tech lead alone was told
    assert not deputy.mcp_notifications.exists()
    workflow.delegate_signoffs(actor=tech_lead, delegate="deputy", role="tech_lead",
                               starts=TODAY() + dt.timedelta(days=1),
                               ends=TODAY() + dt.timedelta(days=2), reason="holiday")
    deliver_notifications()
    assert not deputy.mcp_notifications.filter(kind="signoff_waiting").exists()
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        deliver_notifications()
        deliver_notifications()  # once only
    assert deputy.mcp_notifications.filter(
        kind="signoff_waiting", request=request).count() == 1
