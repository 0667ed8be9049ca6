"""SCIM 2.0 (SPEC §10) as the identity providers call it: the requests of Okta's and Entra
ID's SCIM guides, against the portal's /scim/v2/ with a bearer token an administrator made.
Deprovisioning deactivates (never deletes): sign-in and API tokens stop at once. Group
membership maps to roles. A bad token or a malformed body gets a SCIM error document,
is audited, and changes nothing."""

import json
import re

import pytest
from django.contrib.auth import get_user_model

from accounts import identity, roles
from accounts.models import (
    DirectoryGroup,
    ExternalIdentity,
    GroupRoleMapping,
    IdentityEvent,
    ScimToken,
)
from accounts.services import issue_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SCIM = "application/scim+json"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


@pytest.fixture
def scim(client, db):
    _token, key = identity.issue_scim_token(name="Okta")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    class Scim:
        def get(self, path, **params):
            return client.get(f"/scim/v2/{path}", params, **auth)

        def post(self, path, body):
            return client.post(f"/scim/v2/{path}", json.dumps(body), content_type=SCIM, **auth)

        def patch(self, path, body):
            return client.patch(f"/scim/v2/{path}", json.dumps(body), content_type=SCIM,
                                **auth)

        def put(self, path, body):
            return client.put(f"/scim/v2/{path}", json.dumps(body), content_type=SCIM, **auth)

        def delete(self, path):
            return client.delete(f"/scim/v2/{path}", **auth)

    return Scim()


@pytest.fixture(autouse=True)
def mapping(settings):
    settings.OIDC_GROUP_ROLES = {}
    GroupRoleMapping.objects.create(group="Portal Security", role="security_team")
    GroupRoleMapping.objects.create(group="8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
                                    role="tech_lead")


def okta_user(**overrides):
    # Okta's SCIM 2.0 guide, "Create the user".
    return {"schemas": [USER_SCHEMA], "userName": "test.user@okta.local",
            "name": {"givenName": "Test", "familyName": "User"},
            "emails": [{"primary": True, "value": "test.user@okta.local", "type": "work"}],
            "displayName": "Test User", "locale": "en-US", "externalId": "00ujl29u0le5T6Aj10h7",
            "groups": [], "password": "1mz050nq", "active": True, **overrides}


def entra_user():
    # Entra ID's SCIM guide, "Create User".
    return {"schemas": [USER_SCHEMA,
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
            "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1", "active": True,
            "emails": [{"primary": True, "type": "work",
                        "value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"}],
            "meta": {"resourceType": "User"},
            "name": {"formatted": "givenName familyName", "familyName": "familyName",
                     "givenName": "givenName"}, "roles": []}


def created(scim, body):
    response = scim.post("Users", body)
    assert response.status_code == 201, response.content
    return get_user_model().objects.get(pk=int(response.json()["id"]))


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


def test_okta_group_push_adds_and_removes_the_role(scim):
    user = created(scim, okta_user())
    group = scim.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Portal Security",
                                 "members": []})
    assert group.status_code == 201
    gid = group.json()["id"]
    added = scim.patch(f"Groups/{gid}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "add", "path": "members",
         "value": [{"value": str(user.pk), "display": "test.user@okta.local"}]}]})
    assert added.status_code == 200
    assert roles.roles_of(get_user_model().objects.get(pk=user.pk)) == {"security_team"}
    removed = scim.patch(f"Groups/{gid}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "remove", "path": f'members[value eq "{user.pk}"]'}]})
    assert removed.status_code == 200
    assert roles.roles_of(get_user_model().objects.get(pk=user.pk)) == set()
    change = IdentityEvent.objects.filter(user=user, kind="roles_changed").first()
    assert change.data == {"added": [], "removed": ["security_team"],
                           "source": "SCIM group membership"}


def test_entra_group_by_external_id_with_add_and_remove_members(scim):
    user = created(scim, entra_user())
    group = scim.post("Groups", {"schemas": [GROUP_SCHEMA],
                                 "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
                                 "displayName": "Tech leads", "meta": {"resourceType": "Group"}})
    gid = group.json()["id"]
    scim.patch(f"Groups/{gid}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Add", "path": "members", "value": [{"$ref": None, "value": str(user.pk)}]}]})
    assert roles.roles_of(get_user_model().objects.get(pk=user.pk)) == {"tech_lead"}
    found = scim.get("Groups", filter='displayName eq "Tech leads"')
    assert found.json()["Resources"][0]["members"][0]["value"] == str(user.pk)
    scim.patch(f"Groups/{gid}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Remove", "path": "members", "value": [{"$ref": None, "value": str(user.pk)}]}]})
    assert roles.roles_of(get_user_model().objects.get(pk=user.pk)) == set()


def test_okta_renames_a_group(scim):
    gid = scim.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Old"}).json()["id"]
    response = scim.patch(f"Groups/{gid}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "value": {"id": gid, "displayName": "Test SCIMv2"}}]})
    assert response.status_code == 200
    assert DirectoryGroup.objects.get(pk=gid).display_name == "Test SCIMv2"


# ─── refusals ───────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic dXNlcjpwYXNz",
                                    "Token mcpgov_abc"])
def test_a_call_without_a_valid_token_is_refused_and_audited(client, header):
    UserFactory(username="dev")
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.post("/scim/v2/Users", json.dumps(okta_user()), content_type=SCIM,
                           **extra)
    assert response.status_code == 401 and response["WWW-Authenticate"] == 'Bearer realm="scim"'
    assert response.json()["schemas"] == [ERROR_SCHEMA]
    assert "bearer token" in response.json()["detail"]
    assert not get_user_model().objects.filter(username="test.user@okta.local").exists()
    assert IdentityEvent.objects.filter(kind="scim_refused").count() == 1


def test_a_deleted_scim_token_stops_at_once(scim):
    ScimToken.objects.all().delete()
    assert scim.get("Users").status_code == 401


@pytest.mark.parametrize(("body", "says"), [
    ("{not json", "Could not decode JSON body"),
    ({**okta_user(), "userName": ""}, '"userName" is required'),
    ({**okta_user(), "externalId": None}, '"externalId" is required'),
    ({**okta_user(), "active": "maybe"}, '"active" must be true or false'),
    ({**okta_user(), "emails": [{"value": "not-an-address"}]}, "Invalid email"),
    ({**okta_user(), "name": "Test User"}, '"name" must be an object'),
    ([1, 2], "must be a SCIM User object"),
])
def test_a_malformed_user_gets_a_scim_error_and_changes_nothing(client, scim, body, says):
    users = get_user_model().objects.count()
    raw = body if isinstance(body, str) else json.dumps(body)
    response = client.post("/scim/v2/Users", raw, content_type=SCIM,
                           HTTP_AUTHORIZATION=scim_auth(client))
    assert response.status_code == 400
    assert response.json()["schemas"] == [ERROR_SCHEMA] and says in response.json()["detail"]
    assert get_user_model().objects.count() == users
    event = IdentityEvent.objects.filter(kind="scim_refused").first()
    assert event.data["status"] == 400 and says in event.data["error"]


def scim_auth(client):
    _token, key = identity.issue_scim_token(name="Entra")
    return f"Bearer {key}"


def test_a_taken_external_id_is_a_conflict(scim):
    created(scim, okta_user())
    response = scim.post("Users", okta_user(userName="someone.else@okta.local"))
    assert response.status_code == 409 and "belongs to another user" in response.json()[
        "detail"]


@pytest.mark.parametrize("operations", [
    [{"op": "add", "path": "members", "value": [{"value": "999999"}]}],
    [{"op": "add", "path": "members", "value": [{"value": "not-an-id"}]}],
    [{"op": "add", "path": "members", "value": "everyone"}],
    [{"op": "move", "path": "members"}],
    "not a list",
])
def test_a_bad_group_patch_gets_a_scim_error_and_changes_nothing(scim, operations):
    user = created(scim, okta_user())
    gid = scim.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Portal Security",
                               "members": [{"value": str(user.pk)}]}).json()["id"]
    response = scim.patch(f"Groups/{gid}", {"schemas": [PATCH_OP], "Operations": operations})
    assert response.status_code == 400 and response.json()["schemas"] == [ERROR_SCHEMA]
    assert list(DirectoryGroup.objects.get(pk=gid).members.all()) == [user]


def test_every_scim_call_is_in_the_audit_trail(scim):
    created(scim, okta_user())
    event = IdentityEvent.objects.get(kind="scim_call")
    assert event.data["method"] == "POST" and event.data["status"] == 201
    assert event.data["token"].startswith("scim_") and "(Okta)" in event.detail
    assert ExternalIdentity.objects.count() == 1


# ─── local accounts are out of SCIM's reach ─────────────────────────────────────────────

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


def test_deleting_a_group_takes_its_roles_away(scim):
    user = created(scim, okta_user())
    gid = scim.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Portal Security",
                               "members": [{"value": str(user.pk)}]}).json()["id"]
    assert roles.roles_of(get_user_model().objects.get(pk=user.pk)) == {"security_team"}
    assert scim.delete(f"Groups/{gid}").status_code == 204
    assert roles.roles_of(get_user_model().objects.get(pk=user.pk)) == set()


def test_guessing_scim_tokens_is_throttled(client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "failed_token": "3/min"}}
    statuses = [client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer guess-{n}"
                           ).status_code for n in range(4)]
    assert statuses == [401, 401, 401, 429]
    response = client.get("/scim/v2/Users", HTTP_AUTHORIZATION="Bearer guess-9")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert response.json()["schemas"] == [ERROR_SCHEMA]


def test_an_administrator_makes_a_scim_token_and_sees_its_key_once(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/admin/accounts/scimtoken/add/", {"name": "Okta provisioning"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    key = re.search(r'id="scim-token-key">([^<]+)<', response.content.decode()).group(1)
    token = ScimToken.objects.get(name="Okta provisioning")
    assert token.created_by == admin_user and key.startswith(token.prefix)
    assert key not in str(ScimToken.objects.values_list()) and not client.cookies.get(
        "messages")
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    page = client.get("/admin/accounts/scimtoken/").content.decode()
    assert token.prefix in page and key not in page
