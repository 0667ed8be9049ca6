"""Reading the values a SCIM call sends, and the SCIM error document."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django_scim import constants, exceptions


def scim_error(status: int, detail: str, scim_type: str | None = None) -> HttpResponse:
    document = {"schemas": [constants.SchemaURI.ERROR], "status": str(status),
                "detail": detail}
    if scim_type:
        document["scimType"] = scim_type
    return HttpResponse(json.dumps(document), status=status,
                        content_type=constants.SCIM_CONTENT_TYPE)


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
