"""Reading the values a SCIM call sends, and the SCIM error document."""

from __future__ import annotations

import json
import re

from django.http import HttpResponse
from django_scim import constants, exceptions


def scim_error(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    document = {"schemas": [constants.SchemaURI.ERROR], "status": str(status),
                "detail": detail}
    if scim_type:
        document["scimType"] = scim_type
    return HttpResponse(json.dumps(document), status=status,
                        content_type=constants.SCIM_CONTENT_TYPE)


def nul_refused(request, problems: dict[str, list[str]], detail: str) -> HttpResponse:
    """A NUL character in a SCIM address: the error document an identity provider's SCIM
    client reads (named in NUL_REFUSAL_ANSWERS, used by governance.middleware)."""
    return scim_error(400, detail, "invalidValue")


NUL = "\x00"
ID = re.compile(r"[0-9]{1,18}")  # a user's id as SCIM sends it: a decimal string, in range


def nul_field(value, field: str = "") -> str | None:
    """The first field of a JSON body whose name or text holds a NUL character, which
    PostgreSQL cannot store ("(body)" for a bare string), or None."""
    if isinstance(value, str):
        return (field or "(body)") if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{field}.{key}" if field else str(key)
            if NUL in str(key):
                return name.replace(NUL, "\\u0000")
            found = nul_field(item, name)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = nul_field(item, f"{field}[{index}]")
            if found:
                return found
    return None


def email_list(value, field: str = "emails"):
    """SCIM emails: a list of objects with a string "value" (or, as OneLogin sends, one such
    object); anything else refused, naming the field."""
    items = value if isinstance(value, list) else [value] if isinstance(value, dict) else None
    if items is None or not all(
            isinstance(item, dict) and isinstance(item.get("value", ""), str)
            for item in items):
        raise exceptions.BadRequestError(
            f'"{field}" must be a list of objects such as {{"value": "a@b.com"}}.',
            scim_type="invalidValue")
    return value


def user_id(value) -> int:
    """A member's `value`: the user's id as a decimal string (Okta and Entra ID send strings;
    a number, a boolean (true would be id 1) or an out-of-range id is refused)."""
    if not isinstance(value, str) or not ID.fullmatch(value.strip()):
        raise exceptions.BadRequestError(
            f"A member's \"value\" must be a user's id as a string of digits, not {value!r}.",
            scim_type="invalidValue")
    return int(value.strip())


def as_bool(value, field: str) -> bool:
    """SCIM booleans; Entra ID sends "True"/"False" as strings in PATCH."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise exceptions.BadRequestError(f'"{field}" must be true or false, not {value!r}.',
                                     scim_type="invalidValue")


def text(value, field: str, *, required=False, limit=150) -> str:
    if value is None or value == "":
        if required:
            raise exceptions.BadRequestError(f'"{field}" is required.',
                                             scim_type="invalidValue")
        return ""
    if not isinstance(value, str):
        raise exceptions.BadRequestError(f'"{field}" must be a string.',
                                         scim_type="invalidValue")
    if len(value) > limit:
        raise exceptions.BadRequestError(f'"{field}" is longer than {limit} characters.',
                                         scim_type="invalidValue")
    return value.strip()
