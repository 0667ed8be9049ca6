"""Roles from the identity provider's groups and one account per person (SPEC §10): the
mapping (admin rows and settings), matching by the stable identifier and never by e-mail,
the refusals that change nothing, and leavers."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts import identity, roles
from accounts.identity import SignInRefused
from accounts.models import ExternalIdentity, GroupRoleMapping, IdentityEvent
from accounts.services import issue_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mapping(settings):
    settings.OIDC_GROUP_ROLES = {"portal-admins": ["administrator"]}
    for group, role in [("engineering", "member"), ("tech-leads", "tech_lead"),
                        ("appsec", "security_team"), ("platform", "platform_team"),
                        ("directors", "engineering_director")]:
        GroupRoleMapping.objects.create(group=group, role=role)


def claims(sub="00u-alice", groups=("engineering",), **extra):
    return {"sub": sub, "email": "alice@company.com", "given_name": "Alice",
            "family_name": "Ng", "preferred_username": "alice", "groups": list(groups),
            **extra}


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def test_the_mapping_joins_the_admin_rows_and_the_settings():
    found, known = identity.roles_for_groups(["appsec", "portal-admins", "Everyone"])
    assert found == {"security_team", "administrator"}
    assert known == ["appsec", "portal-admins"]


def test_first_sign_in_creates_the_user_with_name_email_and_roles_from_groups():
    user = identity.sign_in_from_claims(claims=claims(groups=["engineering", "tech-leads"]))
    assert (user.username, user.email, user.get_full_name()) == (
        "alice", "alice@company.com", "Alice Ng")
    assert roles.roles_of(fresh(user)) == {"tech_lead"}
    assert not user.has_usable_password()
    assert ExternalIdentity.objects.get(user=user).subject == "00u-alice"
    assert IdentityEvent.objects.filter(user=user, kind="sign_in").count() == 1


def test_a_removed_group_takes_the_role_away_at_the_next_sign_in():
    user = identity.sign_in_from_claims(claims=claims(groups=["engineering", "appsec"]))
    assert roles.roles_of(fresh(user)) == {"security_team"}
    again = identity.sign_in_from_claims(claims=claims(groups=["engineering"]))
    assert again.pk == user.pk
    assert roles.roles_of(fresh(user)) == set()
    change = IdentityEvent.objects.filter(user=user, kind="roles_changed").first()
    assert change.data["removed"] == ["security_team"] and change.data["source"] == "sign-in"
    # and the audit trail has the change of the user's groups itself
    group_changes = [entry.changes["groups"] for entry in LogEntry.objects.get_for_object(user)
                     if "groups" in (entry.changes or {})]
    assert {"type": "m2m", "operation": "delete", "objects": ["security_team"]} in group_changes


def test_the_administrator_group_gives_and_takes_the_administrators_rights():
    user = identity.sign_in_from_claims(claims=claims(groups=["portal-admins"]))
    assert fresh(user).is_superuser and fresh(user).is_staff
    identity.sign_in_from_claims(claims=claims(groups=["engineering"]))
    assert not fresh(user).is_superuser and not fresh(user).is_staff


def test_a_local_account_with_the_same_email_is_never_taken_over():
    local = UserFactory(username="alice", email="alice@company.com", roles=["security_team"])
    user = identity.sign_in_from_claims(claims=claims(groups=["engineering"]))
    assert user.pk != local.pk and user.username != "alice"
    assert roles.roles_of(fresh(local)) == {"security_team"}  # untouched


def test_matching_uses_the_configured_claim_such_as_entras_oid(settings):
    settings.OIDC_USER_ID_CLAIM = "oid"
    first = identity.sign_in_from_claims(claims=claims(sub="pairwise-1", oid="9f1c-oid"))
    second = identity.sign_in_from_claims(claims=claims(sub="pairwise-2", oid="9f1c-oid"))
    assert first.pk == second.pk
    assert ExternalIdentity.objects.get(user=first).subject == "9f1c-oid"


def test_a_user_scim_created_first_is_the_one_that_signs_in():
    scim_user = UserFactory(username="alice@company.com", email="alice@company.com")
    ExternalIdentity.objects.create(user=scim_user, subject="00u-alice")
    user = identity.sign_in_from_claims(claims=claims(groups=["tech-leads"]))
    assert user.pk == scim_user.pk
    assert get_user_model().objects.filter(email="alice@company.com").count() == 1


@pytest.mark.parametrize(("token_claims", "code", "says"), [
    ({"groups": None}, "missing_groups", "sent no 'groups' claim"),
    ({"groups": ["Everyone", "sales"]}, "unknown_groups", "it sent: Everyone, sales"),
    ({"groups": [1, 2]}, "bad_groups", "not a list of group names"),
    ({"sub": ""}, "missing_subject", "no 'sub' claim"),
])
def test_a_refused_sign_in_says_why_and_changes_nothing(token_claims, code, says):
    values = claims(**{k: v for k, v in token_claims.items() if k == "sub"} or {})
    values.update({k: v for k, v in token_claims.items() if k != "sub"})
    if values.get("groups") is None:
        values.pop("groups")
    users_before = get_user_model().objects.count()
    with pytest.raises(SignInRefused) as refusal:
        identity.sign_in_from_claims(claims=values)
    assert refusal.value.code == code and says in refusal.value.reason
    assert get_user_model().objects.count() == users_before
    assert not ExternalIdentity.objects.exists()


def test_unknown_groups_beside_a_known_one_are_ignored_but_shown_to_administrators(caplog):
    with caplog.at_level("INFO", logger="accounts.identity"):
        user = identity.sign_in_from_claims(claims=claims(groups=["Everyone", "platform"]))
    assert roles.roles_of(fresh(user)) == {"platform_team"}
    assert "groups the mapping does not know, ignored: Everyone" in caplog.text
    sign_in = IdentityEvent.objects.get(user=user, kind="sign_in")
    assert sign_in.data["unmapped_groups"] == ["Everyone"]
    assert "ignored: Everyone" in sign_in.detail


@pytest.mark.parametrize("groups", [["Everyone"], []])
def test_removed_from_every_mapped_group_refused_and_loses_roles_rights_and_tokens(
        client, groups):
    user = identity.sign_in_from_claims(
        claims=claims(groups=["portal-admins", "tech-leads", "appsec"]))
    assert fresh(user).is_superuser
    _token, key = issue_token(user=user, name="hook", days=30)
    elsewhere = Client()
    elsewhere.force_login(user)  # a session opened earlier, on another machine
    assert elsewhere.get(reverse("my-requests")).status_code == 200
    with pytest.raises(SignInRefused) as refusal:
        identity.sign_in_from_claims(claims=claims(groups=groups))
    assert refusal.value.code == "unknown_groups"
    user = fresh(user)
    assert roles.roles_of(user) == set()
    assert not user.groups.exists()
    assert not user.is_superuser and not user.is_staff
    assert not user.auth_token_set.exists()
    response = client.get("/api/v1/servers/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401
    signed_out = elsewhere.get(reverse("my-requests"))
    assert signed_out.status_code == 302 and "login" in signed_out["Location"]
    refused = [event.data for event in IdentityEvent.objects.filter(
        user=user, kind="roles_changed", data__source__startswith="sign-in refused")]
    assert {"added": [], "removed": ["security_team", "tech_lead", "administrator"],
            "source": "sign-in refused: no group the mapping knows"} in refused
    assert any(data.get("api_tokens_revoked") == 1 for data in refused)
    assert IdentityEvent.objects.filter(user=user, kind="sign_in").count() == 1


def test_a_person_never_seen_in_no_mapped_group_is_only_refused():
    with pytest.raises(SignInRefused):
        identity.sign_in_from_claims(claims=claims(sub="00u-new", groups=["Everyone"]))
    assert not get_user_model().objects.exists()
    assert not ExternalIdentity.objects.exists()
    assert not IdentityEvent.objects.filter(kind="roles_changed").exists()


def test_a_deactivated_person_cannot_sign_in_and_keeps_no_roles_given_later():
    user = identity.sign_in_from_claims(claims=claims(groups=["tech-leads"]))
    identity.deactivate_user(user=user, reason="left the company")
    with pytest.raises(SignInRefused) as refusal:
        identity.sign_in_from_claims(claims=claims(groups=["appsec"]))
    assert refusal.value.code == "deactivated"
    assert roles.roles_of(fresh(user)) == set()  # inactive: no roles at all
    assert not fresh(user).groups.filter(name="security_team").exists()


def test_deactivation_keeps_the_row_revokes_api_tokens_and_tells_the_layers_above():
    user = identity.sign_in_from_claims(claims=claims())
    issue_token(user=user, name="hook", days=30)
    heard = []
    identity.user_deactivated.connect(
        lambda sender, user, reason, **kw: heard.append((user.pk, reason)),
        weak=False, dispatch_uid="test-heard")
    try:
        assert identity.deactivate_user(user=user, reason="left") is True
        assert identity.deactivate_user(user=user, reason="left") is False
    finally:
        identity.user_deactivated.disconnect(dispatch_uid="test-heard")
    assert heard == [(user.pk, "left")]
    user = fresh(user)
    assert not user.is_active and not user.auth_token_set.exists()
    assert user.external_identity.deactivated_at is not None
