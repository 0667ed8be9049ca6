"""SCIM Groups (SPEC §10): membership pushed by Okta and Entra ID maps to roles, as the
groups claim does; a bad operation gets a SCIM error document and changes nothing."""


import pytest
from django.contrib.auth import get_user_model

from accounts import roles
from accounts.models import (
    DirectoryGroup,
    IdentityEvent,
)
from tests.accounts.scim_calls import (
    ERROR_SCHEMA,
    GROUP_SCHEMA,
    PATCH_OP,
    created,
    entra_user,
    okta_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scim_mapping")]


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


@pytest.mark.parametrize("operations", [
    [{"op": "add", "path": "members", "value": [{"value": "999999"}]}],
    [{"op": "add", "path": "members", "value": [{"value": "not-an-id"}]}],
    [{"op": "add", "path": "members", "value": "everyone"}],
    [{"op": "add", "path": "members", "value": [{"value": "99999999999999999999999"}]}],
    [{"op": "add", "path": "members", "value": [{"value": True}]}],
    [{"op": "add", "path": "members", "value": [{"value": 1.5}]}],
    [{"op": "add", "path": "members", "value": [{"value": None}]}],
    [{"op": "replace", "path": "displayName", "value": "Portal\x00Security"}],
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
    assert DirectoryGroup.objects.get(pk=gid).display_name == "Portal Security"


@pytest.mark.parametrize("value", [True, 1, "99999999999999999999999", " ", "1e3"])
def test_a_member_value_must_be_a_user_id_in_a_string_of_digits(scim, value):
    user = created(scim, okta_user())
    gid = scim.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Portal Security",
                               "members": []}).json()["id"]
    response = scim.patch(f"Groups/{gid}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": value}]}]})
    assert response.status_code == 400
    assert "must be a user's id as a string of digits" in response.json()["detail"]
    assert not DirectoryGroup.objects.get(pk=gid).members.exists()
    assert roles.roles_of(get_user_model().objects.get(pk=user.pk)) == set()


def test_deleting_a_group_takes_its_roles_away(scim):
    user = created(scim, okta_user())
    gid = scim.post("Groups", {"schemas": [GROUP_SCHEMA], "displayName": "Portal Security",
                               "members": [{"value": str(user.pk)}]}).json()["id"]
    assert roles.roles_of(get_user_model().objects.get(pk=user.pk)) == {"security_team"}
    assert scim.delete(f"Groups/{gid}").status_code == 204
    assert roles.roles_of(get_user_model().objects.get(pk=user.pk)) == set()
