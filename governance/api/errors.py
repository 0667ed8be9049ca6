"""Every API error has one shape (SPEC §7): {"detail": text, "errors": {field: [messages]}},
with 400, 401, 403, 404, 409 or 413. Service errors keep their status, their link and, for a
conflict, the id of what they conflict with ({"conflict": {"request_id": 12}})."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler

from governance.errors import ServiceError

from .parsers import PayloadTooLarge

INVALID = "The input is invalid; nothing was saved."


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer."""

    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    link = serializers.CharField(
        required=False, help_text="A page of the portal about the refusal, for a person to "
                                  "open (the request it conflicts with, or its server).")
    conflict = serializers.DictField(
        child=serializers.IntegerField(), required=False,
        help_text='What a 409 conflicts with, by id, for a program to follow: '
                  '{"request_id": 12} for a second open request of the same server and version '
                  '(its requester and the reviewers read it at /api/v1/requests/12/); '
                  '{"approval_id": 7} for a revocation of an approval a newer one superseded.')


def _flatten(detail, prefix="") -> dict[str, list[str]]:
    """DRF's nested error details as {"field" or "field.sub": [messages]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for k, v in _flatten(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                name = f"{prefix}[{index}]" if prefix else str(index)
                for k, v in _flatten(value, name).items():
                    out.setdefault(k, []).extend(v)
            else:
                out.setdefault(prefix or "non_field_errors", []).append(str(value))
    else:
        out.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return out


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        body = {"detail": exc.message, "errors": exc.errors}
        if exc.link:
            body["link"] = exc.link
        if exc.conflict:
            body["conflict"] = exc.conflict
        response = drf_exception_handler(exceptions.APIException(), context)
        response.status_code = exc.status_code
        response.data = body
        return response
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": INVALID, "errors": _flatten(exc.detail)}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        if isinstance(detail, dict | list):
            response.data = {"detail": INVALID, "errors": _flatten(detail)}
        else:
            response.data = {"detail": str(detail), "errors": {}}
    return response


def not_found(request, *args, **kwargs):
    """Unknown paths under /api/ answer in the API's own shape."""
    return JsonResponse({"detail": "No such API endpoint.", "errors": {}}, status=404)
