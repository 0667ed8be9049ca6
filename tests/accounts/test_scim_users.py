"""SCIM Users (SPEC §10) as the identity providers call them: the requests of Okta's and
Entra ID's SCIM guides against the portal's /scim/v2/. Deprovisioning deactivates (never
deletes): sign-in and API tokens stop at once. A malformed body gets a SCIM error document,
is audited, and changes nothing; local accounts are out of SCIM's reach."""


import pytest
from django.contrib.auth import get_user_model

from accounts import identity
from accounts.models import (
    ExternalIdentity,
    IdentityEvent,
)
from accounts.services import issue_token
from tests.accounts.scim_calls import (
    ERROR_SCHEMA,
    GROUP_SCHEMA,
    PATCH_OP,
    SCIM,
    created,
    entra_user,
    okta_user,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scim_mapping")]


def test_okta_looks_the_user_up_then_creates_them(scim):
    found = scim.get("Users", filter='userName eq "test.user@okta.local"', startIndex=1,
                     count=100)
    assert found.status_code == 200 and found.json()["totalResults"] == 0
    response = scim.post("Users", okta_user())
    assert response.status_code == 201 and response["Content-Type"] == SCIM
    document = response.json()
    assert document["userName"] == "test.user@okta.local" and document["active"] is True
    assert document["externalId"] == "00ujl29u0le5T6Aj10h7"
    user = get_user_model().objects.get(pk=int(document["id"]))
    assert user.email == "test.user@okta.local" and not user.has_usable_password()
    found = scim.get("Users", filter='userName eq "test.user@okta.local"')
    assert [r["id"] for r in found.json()["Resources"]] == [document["id"]]


def test_entra_finds_a_user_by_external_id(scim):
    user = created(scim, entra_user())
    found = scim.get("Users", filter='externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"')
    assert [r["id"] for r in found.json()["Resources"]] == [str(user.pk)]


def test_the_scim_user_is_the_account_its_person_signs_in_to(scim):
    user = created(scim, okta_user())
    signed_in = identity.sign_in_from_claims(
        claims={"sub": "00ujl29u0le5T6Aj10h7", "groups": ["Portal Security"]})
    assert signed_in.pk == user.pk


def test_okta_deactivation_stops_sign_in_tokens_and_sessions_at_once(scim, client):
    user = created(scim, okta_user())
    _token, key = issue_token(user=user, name="hook", days=30)
    response = scim.patch(f"Users/{user.pk}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "value": {"active": False}}]})
    assert response.status_code == 200 and response.json()["active"] is False
    user.refresh_from_db()
    assert not user.is_active and get_user_model().objects.filter(pk=user.pk).exists()
    api = client.get("/api/v1/requests/", HTTP_AUTHORIZATION=f"Token {key}")
    assert api.status_code == 401
    with pytest.raises(identity.SignInRefused):
        identity.sign_in_from_claims(claims={"sub": "00ujl29u0le5T6Aj10h7",
                                             "groups": ["Portal Security"]})
    assert IdentityEvent.objects.filter(user=user, kind="deactivated").exists()


@pytest.mark.parametrize("value", [False, "False"])
def test_entra_deactivation_with_a_path_and_its_string_boolean(scim, value):
    user = created(scim, entra_user())
    response = scim.patch(f"Users/{user.pk}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Replace", "path": "active", "value": value}]})
    assert response.status_code == 200
    user.refresh_from_db()
    assert not user.is_active


def test_entra_updates_attributes_by_path(scim):
    user = created(scim, entra_user())
    response = scim.patch(f"Users/{user.pk}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Replace", "path": 'emails[type eq "work"].value',
         "value": "updatedEmail@microsoft.com"},
        {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"}]})
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.email, user.last_name) == ("updatedEmail@microsoft.com", "updatedFamilyName")


def test_delete_deactivates_and_keeps_the_row(scim):
    user = created(scim, entra_user())
    assert scim.delete(f"Users/{user.pk}").status_code == 204
    user.refresh_from_db()
    assert not user.is_active
    assert scim.get(f"Users/{user.pk}").json()["active"] is False


def test_okta_reactivation_turns_the_account_back_on(scim):
    user = created(scim, okta_user())
    scim.patch(f"Users/{user.pk}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "value": {"active": False}}]})
    scim.put(f"Users/{user.pk}", okta_user(active=True))
    user.refresh_from_db()
    assert user.is_active


@pytest.mark.parametrize(("body", "says"), [
    ("{not json", "Could not decode JSON body"),
    ({**okta_user(), "userName": ""}, '"userName" is required'),
    ({**okta_user(), "externalId": None}, '"externalId" is required'),
    ({**okta_user(), "active": "maybe"}, '"active" must be true or false'),
    ({**okta_user(), "emails": [{"value": "not-an-address"}]}, "Invalid email"),
    ({**okta_user(), "name": "Test User"}, '"name" must be an object'),
    ([1, 2], "must be a SCIM User object"),
    ({**okta_user(), "emails": ["test.user@okta.local"]}, '"emails" must be a list of objects'),
    ({**okta_user(), "emails": [{"value": 5}]}, '"emails" must be a list of objects'),
    ({**okta_user(), "userName": "test\x00user"}, '"userName" contains a NUL character'),
    ({**okta_user(), "name": {"givenName": "T\x00"}},
     '"name.givenName" contains a NUL character'),
    ({**okta_user(), "emails": [{"value": "a@b.com", "type": "w\x00"}]},
     '"emails[0].type" contains a NUL character'),
])
def test_a_malformed_user_gets_a_scim_error_and_changes_nothing(scim, body, says):
    users = get_user_model().objects.count()
    response = scim.post("Users", body)
    assert response.status_code == 400
    assert response.json()["schemas"] == [ERROR_SCHEMA] and says in response.json()["detail"]
    assert get_user_model().objects.count() == users
    event = IdentityEvent.objects.filter(kind="scim_refused").first()
    assert event.data["status"] == 400 and says in event.data["error"]


@pytest.mark.parametrize(("operation", "says"), [
    ({"op": "replace", "path": "name", "value": "Test User"}, '"name" must be an object'),
    ({"op": "replace", "value": {"name": 5}}, '"name" must be an object'),
    ({"op": "add", "path": "emails", "value": ["x@y.com"]}, '"emails" must be a list of'),
    ({"op": "replace", "path": "name.givenName", "value": "T\x00"},
     '"Operations[1].value" contains a NUL character'),
])
def test_a_malformed_user_patch_gets_a_scim_error_and_changes_nothing(scim, operation, says):
    user = created(scim, okta_user())
    response = scim.patch(f"Users/{user.pk}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "path": "name.familyName", "value": "Changed"}, operation]})
    assert response.status_code == 400, response.content
    assert response.json()["schemas"] == [ERROR_SCHEMA] and says in response.json()["detail"]
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Test", "User")


def test_a_nul_in_a_filter_gets_a_scim_error_document(scim):
    response = scim.get("Users", filter='userName eq "test\x00"')
    assert response.status_code == 400
    assert response["Content-Type"].startswith(SCIM)
    assert response.json()["schemas"] == [ERROR_SCHEMA]
    assert "filter" in response.json()["detail"]


def test_a_taken_external_id_is_a_conflict(scim):
    created(scim, okta_user())
    response = scim.post("Users", okta_user(userName="someone.else@okta.local"))
    assert response.status_code == 409 and "belongs to another user" in response.json()[
        "detail"]


def test_every_scim_call_is_in_the_audit_trail(scim):
    created(scim, okta_user())
    event = IdentityEvent.objects.get(kind="scim_call")
    assert event.data["method"] == "POST" and event.data["status"] == 201
    assert event.data["token"].startswith("scim_") and "(Okta)" in event.detail
    assert ExternalIdentity.objects.count() == 1


def test_scim_neither_lists_nor_changes_a_local_account(scim):
    local = UserFactory(username="root", email="root@company.com", is_superuser=True)
    managed = created(scim, okta_user())
    listed = [r["id"] for r in scim.get("Users").json()["Resources"]]
    assert listed == [str(managed.pk)]
    assert scim.get("Users", filter='userName eq "root" or userName eq '
                                    '"test.user@okta.local"').json()["totalResults"] == 1
    assert scim.get(f"Users/{local.pk}").status_code == 404
    assert scim.delete(f"Users/{local.pk}").status_code == 404
    assert scim.patch(f"Users/{local.pk}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "value": {"active": False}}]}).status_code == 404
    gid = scim.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Portal Security"}
                    ).json()["id"]
    response = scim.patch(f"Groups/{gid}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": str(local.pk)}]}]})
    assert response.status_code == 400
    local.refresh_from_db()
    assert local.is_active and local.is_superuser


def test_entra_removing_an_attribute_the_portal_does_not_keep_is_fine(scim):
    user = created(scim, entra_user())
    response = scim.patch(f"Users/{user.pk}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Remove", "path": "title"},
        {"op": "Remove", "path": "name.givenName"}]})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.first_name == "" and user.is_active


def test_removing_the_active_flag_is_refused(scim):
    user = created(scim, entra_user())
    response = scim.patch(f"Users/{user.pk}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Remove", "path": "active"}]})
    assert response.status_code == 400 and "cannot be removed" in response.json()["detail"]
    user.refresh_from_db()
    assert user.is_active
