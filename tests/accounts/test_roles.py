"""SPEC §3's role table at the service level: every role against every action, each cell
either refused or allowed with its audit record written."""

import pytest
from auditlog.models import LogEntry

from accounts import roles
from approvals import services as workflow
from governance.errors import NotAllowed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PEOPLE = {
    "developer": {},
    "tech_lead": {"roles": ["tech_lead"]},
    "security_team": {"roles": ["security_team"]},
    "engineering_director": {"roles": ["engineering_director"]},
    "platform_team": {"roles": ["platform_team"]},
    "administrator": {"is_superuser": True, "is_staff": True},
}


def person(kind):
    return UserFactory(username=f"p-{kind}", **PEOPLE[kind])


@pytest.mark.parametrize(
    ("predicate", "allowed"),
    [
        (roles.can_see_queue, {"tech_lead", "security_team", "engineering_director",
                               "administrator"}),
        (roles.can_manage_reviews, {"security_team"}),
        (roles.can_download_exports, {"platform_team", "security_team", "administrator"}),
        (roles.can_read_audit, {"security_team", "administrator"}),
    ],
)
def test_what_each_role_may_see_and_use(predicate, allowed):
    for kind in PEOPLE:
        assert predicate(person(kind)) is (kind in allowed), kind


def test_an_inactive_user_holds_no_role():
    user = UserFactory(username="gone", roles=["security_team"], is_active=False)
    assert roles.roles_of(user) == frozenset()


@pytest.mark.parametrize("kind", list(PEOPLE))
def test_anyone_signed_in_may_file_comment_on_and_withdraw_their_own_request(file, kind):
    actor = person(kind)
    request = file(actor=actor)
    workflow.add_comment(actor=actor, request=request, body="Context for reviewers.")
    workflow.withdraw(actor=actor, request=request)
    request.refresh_from_db()
    assert request.status == "withdrawn"
    entries = LogEntry.objects.get_for_object(request)
    assert entries.filter(actor=actor).exists()


REVIEW_ACTIONS = {
    "claim": lambda actor, request: workflow.assign(actor=actor, request=request),
    "change status": lambda actor, request: workflow.transition(
        actor=actor, request=request, status="sandbox_trial"),
    "set risk and scope": lambda actor, request: workflow.set_assessment(
        actor=actor, request=request, risk="MEDIUM", data_scope="INTERNAL"),
}


@pytest.mark.parametrize("action", list(REVIEW_ACTIONS))
@pytest.mark.parametrize("kind", list(PEOPLE))
def test_only_the_security_team_claims_moves_and_assesses(file, action, kind):
    actor = person(kind)
    request = file()
    if kind == "security_team":
        REVIEW_ACTIONS[action](actor, request)
        assert LogEntry.objects.get_for_object(request).filter(actor=actor).exists()
    else:
        with pytest.raises(NotAllowed):
            REVIEW_ACTIONS[action](actor, request)
        assert not LogEntry.objects.get_for_object(request).filter(actor=actor).exists()


@pytest.mark.parametrize("kind", list(PEOPLE))
def test_sign_off_needs_a_role_the_route_requires(file, kind):
    actor = person(kind)
    request = file()
    role = kind if kind in ("tech_lead", "security_team") else "tech_lead"
    if kind in ("tech_lead", "security_team"):
        workflow.sign_off(actor=actor, request=request, role=role, decision="approve",
                          comment="Reviewed.")
        assert request.signoffs.filter(user=actor).exists()
        assert LogEntry.objects.get_for_model(type(request.signoffs.get())).filter(
            actor=actor).exists()
    else:
        with pytest.raises(NotAllowed):
            workflow.sign_off(actor=actor, request=request, role=role, decision="approve")
        assert not request.signoffs.exists()


def test_a_developer_cannot_comment_on_someone_elses_request(file, other_developer):
    with pytest.raises(NotAllowed):
        workflow.add_comment(actor=other_developer, request=file(), body="hello")


@pytest.mark.parametrize("kind", list(PEOPLE))
def test_only_administrators_edit_the_policy(client, kind):
    from django.urls import reverse

    from governance.models import Organisation

    client.force_login(person(kind))
    url = reverse("admin:governance_organisation_change", args=[Organisation.load().pk])
    assert (client.get(url).status_code == 200) is (kind == "administrator")
