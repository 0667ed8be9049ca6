"""SCIM Users as portal users: `id` is the user's id, `externalId` the identifier sign-in
matches; `active: false` and DELETE deactivate through accounts.identity, never delete."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django_scim import constants, exceptions
from django_scim.adapters import SCIMUser

from accounts import identity
from accounts.models import DirectoryGroup, ExternalIdentity
from accounts.throttles import client_address

from .values import as_bool, email_list, text


class ScimUser(SCIMUser):
    id_field = "id"

    def __init__(self, obj, request=None):
        super().__init__(obj, request)
        self._external_id = None
        self._active = None

    @property
    def external_id(self) -> str:
        if self.obj.pk is None:
            return ""
        return (ExternalIdentity.objects.filter(user=self.obj)
                .values_list("subject", flat=True).first() or "")

    @property
    def groups(self):
        return [{"value": str(g.pk), "display": g.display_name}
                for g in DirectoryGroup.objects.filter(members=self.obj)]

    @property
    def meta(self):
        return {"resourceType": self.resource_type, "location": self.location,
                "created": self.obj.date_joined.isoformat()}

    def to_dict(self):
        return {
            "schemas": [constants.SchemaURI.USER],
            "id": str(self.obj.pk),
            "externalId": self.external_id,
            "userName": self.obj.username,
            "name": {"givenName": self.obj.first_name, "familyName": self.obj.last_name,
                     "formatted": self.name_formatted},
            "displayName": self.display_name,
            "emails": self.emails,
            "active": self.obj.is_active,
            "groups": self.groups,
            "meta": self.meta,
        }

    def validate_dict(self, d):
        if not isinstance(d, dict):
            raise exceptions.BadRequestError("The body must be a SCIM User object.",
                                             scim_type="invalidSyntax")
        if "active" in d:
            d["active"] = as_bool(d["active"], "active")
        if not isinstance(d.get("name", {}), dict):
            raise exceptions.BadRequestError('"name" must be an object.',
                                             scim_type="invalidValue")
        if d.get("emails") is not None:
            email_list(d["emails"])

    def from_dict(self, d):
        self.obj.username = text(d.get("userName"), "userName", required=True)
        name = d.get("name") or {}
        self.obj.first_name = text(name.get("givenName"), "name.givenName")
        self.obj.last_name = text(name.get("familyName"), "name.familyName")
        self.parse_emails(d.get("emails"))
        self._external_id = text(d.get("externalId"), "externalId", limit=255)
        if not self._external_id and not self.external_id:
            raise exceptions.BadRequestError(
                '"externalId" is required: the identifier the person signs in with (the ID '
                "token's sub, or Entra ID's objectId), so that one person is one account.",
                scim_type="invalidValue")
        if d.get("active") is not None:
            self._active = d["active"]
        # A password, if sent, is ignored: people sign in through the identity provider.

    @transaction.atomic
    def save(self):
        User = get_user_model()
        new = self.obj.pk is None
        clash = User.objects.filter(username=self.obj.username).exclude(pk=self.obj.pk)
        if clash.exists():
            raise exceptions.IntegrityError(f'userName "{self.obj.username}" is taken.',
                                            scim_type="uniqueness")
        if self._external_id and ExternalIdentity.objects.filter(
                subject=self._external_id).exclude(user_id=self.obj.pk).exists():
            raise exceptions.IntegrityError(
                f'externalId "{self._external_id}" belongs to another user.',
                scim_type="uniqueness")
        if new:
            self.obj.set_unusable_password()
            self.obj.is_active = True if self._active is None else self._active
        self.obj.save()
        if self._external_id:
            ExternalIdentity.objects.update_or_create(
                user=self.obj, defaults={"subject": self._external_id})
        if not new and self._active is not None:
            self._set_active(self._active)

    def _set_active(self, active: bool):
        address = client_address(self.request)
        if active:
            identity.reactivate_user(user=self.obj, reason="SCIM active: true",
                                     address=address)
        else:
            identity.deactivate_user(user=self.obj, reason="deactivated by the identity "
                                     "provider (SCIM active: false)", address=address)
        self.obj.is_active = active

    def delete(self):
        identity.deactivate_user(user=self.obj, reason="deleted at the identity provider "
                                 "(SCIM DELETE); the account is kept, deactivated",
                                 address=client_address(self.request))

    # PATCH: Okta sends {"op": "replace", "value": {"active": false}}; Entra ID sends
    # {"op": "Replace", "path": "active", "value": "False"} and "Add"/"Replace" with paths
    # such as name.givenName or emails[type eq "work"].value.
    def handle_operations(self, operations):
        if not isinstance(operations, list):
            raise exceptions.BadRequestError('"Operations" must be a list.',
                                             scim_type="invalidSyntax")
        for operation in operations:
            if not isinstance(operation, dict):
                raise exceptions.BadRequestError("Each operation must be an object.",
                                                 scim_type="invalidSyntax")
            op = str(operation.get("op", "")).lower()
            path, value = operation.get("path"), operation.get("value")
            if op == "remove":
                self._remove(str(path or ""))
                continue
            if op not in {"add", "replace"}:
                raise exceptions.BadRequestError(
                    f'Unknown PATCH op {op!r}: use "add", "replace" or "remove".',
                    scim_type="invalidSyntax")
            changes = value if not path and isinstance(value, dict) else {path: value}
            if not path and not isinstance(value, dict):
                raise exceptions.BadRequestError(
                    "An operation without a path needs an object as its value.",
                    scim_type="noTarget")
            for attribute, new in changes.items():
                self._apply(str(attribute), new)
        self.obj.save()

    def _remove(self, attribute: str):
        key = attribute.lower()
        if key in {"active", "username", "externalid", ""}:
            raise exceptions.BadRequestError(
                f'"{attribute or "(no path)"}" cannot be removed from a user.',
                scim_type="mutability" if attribute else "noTarget")
        if key == "name.givenname":
            self.obj.first_name = ""
        elif key == "name.familyname":
            self.obj.last_name = ""
        elif key.startswith("emails"):
            self.obj.email = ""
        # Other attributes (manager, title, ...) are not kept by the portal: nothing to do.

    def _apply(self, attribute: str, value):
        key = attribute.lower()
        if key == "active":
            self._set_active(as_bool(value, "active"))
        elif key == "username":
            self.obj.username = text(value, "userName", required=True)
        elif key == "name.givenname":
            self.obj.first_name = text(value, "name.givenName")
        elif key == "name.familyname":
            self.obj.last_name = text(value, "name.familyName")
        elif key == "name":
            if not isinstance(value, dict):
                raise exceptions.BadRequestError(
                    '"name" must be an object such as {"givenName": "...", "familyName": '
                    '"..."}.', scim_type="invalidValue")
            self.obj.first_name = text(value.get("givenName"), "name.givenName")
            self.obj.last_name = text(value.get("familyName"), "name.familyName")
        elif key.startswith("emails"):
            email = value if isinstance(value, str) else None
            if email is None:
                self.parse_emails(email_list(value, attribute))
            else:
                self.validate_email(email)
                self.obj.email = email
        elif key == "externalid":
            subject = text(value, "externalId", required=True, limit=255)
            if ExternalIdentity.objects.filter(subject=subject).exclude(
                    user=self.obj).exists():
                raise exceptions.IntegrityError(
                    f'externalId "{subject}" belongs to another user.', scim_type="uniqueness")
            ExternalIdentity.objects.update_or_create(user=self.obj,
                                                      defaults={"subject": subject})
        # Other attributes (displayName, title, locale, ...) are not kept by the portal.
