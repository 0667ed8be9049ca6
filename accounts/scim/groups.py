"""SCIM Groups as DirectoryGroups: their membership maps to roles like the groups claim."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.db import transaction
from django_scim import constants, exceptions
from django_scim.adapters import SCIMGroup

from accounts import identity
from accounts.throttles import client_address

from .auth import managed_users
from .values import text, user_id

MEMBER_FILTER = re.compile(r'^members\[\s*value\s+eq\s+"([^"]+)"\s*\]$', re.IGNORECASE)


class ScimGroup(SCIMGroup):
    id_field = "id"

    def __init__(self, obj, request=None):
        super().__init__(obj, request)
        self._members = None
        self._touched: set[int] = set()

    @property
    def display_name(self):
        return self.obj.display_name

    @property
    def members(self):
        return [{"value": str(u.pk), "display": u.get_full_name() or u.username}
                for u in self.obj.members.all()]

    def to_dict(self):
        return {
            "schemas": [constants.SchemaURI.GROUP],
            "id": str(self.obj.pk),
            "externalId": self.obj.external_id,
            "displayName": self.obj.display_name,
            "members": self.members,
            "meta": self.meta,
        }

    def validate_dict(self, d):
        if not isinstance(d, dict):
            raise exceptions.BadRequestError("The body must be a SCIM Group object.",
                                             scim_type="invalidSyntax")

    def from_dict(self, d):
        self.obj.display_name = text(d.get("displayName"), "displayName", required=True,
                                      limit=255)
        self.obj.external_id = text(d.get("externalId"), "externalId", limit=255)
        if "members" in d:
            self._members = self._users(d.get("members"))

    def _users(self, members) -> list:
        if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
            raise exceptions.BadRequestError(
                '"members" must be a list of {"value": "<user id>"}.', scim_type="invalidValue")
        ids = [user_id(member.get("value")) for member in members]
        users = list(managed_users(get_user_model().objects.filter(pk__in=ids)))
        if len(users) != len(set(ids)):
            missing = set(ids) - {u.pk for u in users}
            raise exceptions.BadRequestError(
                f"No user has the id {', '.join(map(str, sorted(missing)))}.",
                scim_type="invalidValue")
        return users

    @transaction.atomic
    def save(self):
        self.obj.save()
        if self._members is not None:
            before = set(self.obj.members.values_list("pk", flat=True))
            self.obj.members.set(self._members)
            self._touched |= before | {u.pk for u in self._members}
        self._sync()

    def delete(self):
        with transaction.atomic():
            members = list(self.obj.members.all())
            self.obj.delete()
            identity.sync_directory_roles(users=members, address=client_address(self.request))

    def _sync(self):
        if self._touched:
            users = get_user_model().objects.filter(pk__in=self._touched)
            identity.sync_directory_roles(users=users, address=client_address(self.request))
            self._touched = set()

    # PATCH: Okta: {"op": "add", "path": "members", "value": [{"value": id}]} and
    # {"op": "remove", "path": "members[value eq \"id\"]"}; Entra ID: "Add"/"Remove" with
    # path "members" and a value list; both "replace" the displayName.
    def handle_operations(self, operations):
        if not isinstance(operations, list):
            raise exceptions.BadRequestError('"Operations" must be a list.',
                                             scim_type="invalidSyntax")
        for operation in operations:
            if not isinstance(operation, dict):
                raise exceptions.BadRequestError("Each operation must be an object.",
                                                 scim_type="invalidSyntax")
            op = str(operation.get("op", "")).lower()
            path = str(operation.get("path") or "")
            value = operation.get("value")
            single = MEMBER_FILTER.match(path)
            if op in {"add", "remove"} and (path.lower() == "members" or single):
                users = self._users([{"value": single.group(1)}] if single else value)
                if op == "add":
                    self.obj.members.add(*users)
                else:
                    self.obj.members.remove(*users)
                self._touched |= {u.pk for u in users}
            elif op == "replace" and path.lower() == "members":
                self._members = self._users(value)
                self.save()
            elif op == "replace" and (path.lower() in {"displayname", "externalid"}
                                      or (not path and isinstance(value, dict))):
                changes = value if not path else {path: value}
                for attribute, new in changes.items():
                    if attribute.lower() == "displayname":
                        self.obj.display_name = text(new, "displayName", required=True,
                                                      limit=255)
                    elif attribute.lower() == "externalid":
                        self.obj.external_id = text(new, "externalId", limit=255)
                    elif attribute.lower() == "members":
                        self._members = self._users(new)
                self.save()
            else:
                raise exceptions.BadRequestError(
                    f"Unsupported operation on a group: {op} {path or '(no path)'}.",
                    scim_type="invalidPath")
        self.obj.save()
        self._sync()
