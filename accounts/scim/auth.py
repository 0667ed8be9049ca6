"""Who may call SCIM and whom it sees: the bearer token an administrator made (wrong ones
throttled like wrong API tokens), every call recorded as an IdentityEvent, and only the
identity provider's users in reach."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django_scim import exceptions
from django_scim.middleware import SCIMAuthCheckMiddleware

from accounts import identity
from accounts.models import ExternalIdentity, IdentityEvent
from accounts.throttles import FailedTokenThrottle, client_address

from .values import nul_field, scim_error

# ─── which users SCIM sees: those of the identity provider ──────────────────────────
# Local accounts (the break-glass superuser, the system user, demo users) have no external
# identity: SCIM neither lists nor changes them, so a SCIM token cannot lock them out.

def managed_users(queryset):
    return queryset.filter(external_identity__isnull=False)


def queryset_post_processor_getter(model):
    def post_process(request, qs, *args, **kwargs):
        return managed_users(qs) if model is get_user_model() else qs
    return post_process


def object_post_processor_getter(model):
    def post_process(request, obj, *args, **kwargs):
        if model is get_user_model() and not ExternalIdentity.objects.filter(
                user=obj).exists():
            raise exceptions.NotFoundError(obj.pk)
        return obj
    return post_process


class ScimAuthCheck(SCIMAuthCheckMiddleware):
    """The bearer token, checked against the digests of the SCIM tokens; the call, whatever
    its answer, recorded as an IdentityEvent."""

    def process_request(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme, _, key = header.partition(" ")
        throttle = FailedTokenThrottle()
        wait = throttle.seconds_locked(request)
        if wait is not None:  # guessing learns nothing more until the wait is over
            response = scim_error(429, f"{throttle.detail} Try again in {int(wait)} seconds.")
            response["Retry-After"] = str(int(wait))
            return response
        token = identity.scim_token_for(key.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            throttle.record_failure(request, header.encode("utf-8", "replace"))
            IdentityEvent.objects.create(
                kind=IdentityEvent.Kind.SCIM_REFUSED, address=client_address(request),
                detail=f"{request.method} {request.path}: no valid SCIM bearer token",
                data={"method": request.method, "path": request.path})
            response = scim_error(401, "A valid SCIM bearer token is required "
                                       "(Authorization: Bearer <token>).")
            response["WWW-Authenticate"] = 'Bearer realm="scim"'
            return response
        request.scim_token = token
        return self._refuse_nul(request)

    @staticmethod
    def _refuse_nul(request):
        """A NUL character anywhere in the body (PostgreSQL cannot store it): refused before
        any adapter reads it."""
        if request.method not in {"POST", "PUT", "PATCH"} or not request.body:
            return None
        try:
            body = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return None  # the view answers the invalid JSON
        field = nul_field(body)
        if field is None:
            return None
        return scim_error(400, f'"{field}" contains a NUL character (\\u0000), which is '
                               "not allowed; nothing was changed.", "invalidValue")

    def process_response(self, request, response):
        token = getattr(request, "scim_token", None)
        if token is not None:
            detail = f"{request.method} {request.path} → {response.status_code}"
            IdentityEvent.objects.create(
                kind=(IdentityEvent.Kind.SCIM_CALL if response.status_code < 400
                      else IdentityEvent.Kind.SCIM_REFUSED),
                address=client_address(request), detail=f"{detail} ({token.name})"[:500],
                data={"method": request.method, "path": request.path,
                      "status": response.status_code, "token": token.prefix,
                      **({"error": _error_detail(response)} if response.status_code >= 400
                         else {})})
        return response


def _error_detail(response) -> str:
    try:
        return str(json.loads(response.content).get("detail", ""))[:300]
    except (ValueError, AttributeError):
        return ""
