"""API tokens (SPEC §7, §10): `Authorization: Token <key>`, checked against the digest that
django-rest-knox stores (governance.models.ApiToken). An expired token, or the token of a
deactivated user, stops working at once; a token's last use is written at most once a
minute; wrong keys count against the client's address, which past the limit gets 429 with
Retry-After before its token is even looked at."""

import datetime as dt
import re
from hmac import compare_digest

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header

from accounts.models import ApiToken
from accounts.roles import ALL_ROLES

from .throttles import FailedTokenThrottle

# A key as the portal makes them (knox's prefix and 64 hex digits), or as DRF made them
# before the upgrade (40 hex digits). Anything else fails without a query.
KEY_SHAPE = re.compile(r"[A-Za-z0-9_]{20,128}")
INVALID = "Invalid token."
# Does the token's user hold each role (accounts.roles.roles_of reads them from the user)?
ROLE_FLAGS = {f"holds_role_{n}": Exists(Group.objects.filter(user=OuterRef("user_id"),
                                                              name=role))
              for n, role in enumerate(ALL_ROLES)}


class ApiTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.authenticate_header(request).lower().encode():
            return None  # no token: the session, or 401 from the permission check
        throttle = FailedTokenThrottle()
        wait = throttle.seconds_locked(request)
        if wait is not None:
            raise exceptions.Throttled(wait, detail=throttle.detail)
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            throttle.record_failure(request, b" ".join(header[1:]))
            raise

    def authenticate_credentials(self, token: bytes):
        try:
            key = token.decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(INVALID) from None
        if not KEY_SHAPE.fullmatch(key):
            raise exceptions.AuthenticationFailed(INVALID)
        digest = hash_token(key)
        # Looked up by the key's first characters, then compared in constant time; the
        # user's roles come with it (one query, not one more for every role check).
        for api_token in ApiToken.objects.filter(
                token_key=key[:CONSTANTS.TOKEN_KEY_LENGTH]).select_related("user").annotate(
                **ROLE_FLAGS):
            if compare_digest(digest, api_token.digest):
                api_token.user._portal_roles = frozenset(
                    role for role, flag in zip(ALL_ROLES, ROLE_FLAGS, strict=True)
                    if getattr(api_token, flag))
                return self.validate(api_token)
        raise exceptions.AuthenticationFailed(INVALID)

    def validate(self, api_token: ApiToken):
        now = timezone.now()
        if api_token.has_expired(now):
            raise exceptions.AuthenticationFailed(
                f"Token expired on {timezone.localtime(api_token.expiry):%Y-%m-%d %H:%M}.")
        if not api_token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        interval = dt.timedelta(seconds=settings.API_TOKEN_LAST_USED_INTERVAL)
        if api_token.last_used is None or now - api_token.last_used >= interval:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used=now)
            api_token.last_used = now
        return api_token.user, api_token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI schema's name and shape for the token, as DRF's token had them."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization",
                                                   token_prefix="Token")
