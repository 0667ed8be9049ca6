"""Sign-in with the company's OpenID Connect provider (SPEC §10), on mozilla-django-oidc:
the authorization code flow with PKCE and a nonce, endpoints and signing keys from the
issuer's discovery document, and every check of the ID token (signature, issuer, audience,
expiry, nonce) made before a user is looked at. A refused sign-in gets a page that says
what failed; it is logged and audited, and changes nothing.

With OIDC off (no OIDC_ISSUER) the provider backend does nothing and local passwords work
as before; with it on, passwords work only for BREAK_GLASS_USERS."""

from __future__ import annotations

import logging
import threading
import time
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import render
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import identity
from .identity import SignInRefused
from .throttles import client_address

logger = logging.getLogger(__name__)

# ─── the discovery document ──────────────────────────────────────────────────────────
_discovery: dict = {}
_discovery_lock = threading.Lock()
DISCOVERY_TTL = 3600


def discovery() -> dict:
    """The issuer's /.well-known/openid-configuration, fetched when first needed and kept
    an hour. Its `issuer` must be OIDC_ISSUER (OpenID Connect Discovery §4.3)."""
    url = settings.OIDC_DISCOVERY_URL
    with _discovery_lock:
        cached = _discovery.get(url)
        if cached and cached[0] > time.monotonic():
            return cached[1]
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SignInRefused(f"The identity provider cannot be reached ({url}): {exc}",
                            code="provider_unreachable") from exc
    if document.get("issuer", "").rstrip("/") != settings.OIDC_ISSUER:
        raise SignInRefused(
            f"The identity provider's discovery document names the issuer "
            f"{document.get('issuer')!r}, not OIDC_ISSUER {settings.OIDC_ISSUER!r}.",
            code="discovery_issuer")
    with _discovery_lock:
        _discovery[url] = (time.monotonic() + DISCOVERY_TTL, document)
    return document


def forget_discovery() -> None:
    with _discovery_lock:
        _discovery.clear()


# ─── the backends ────────────────────────────────────────────────────────────────────

class ProviderBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with the endpoints from discovery, the ID token checked
    in full, and users matched by the stable identifier through accounts.identity."""

    def __init__(self, *args, **kwargs):
        # Nothing is fetched here: Django makes every backend for every authenticate(), and a
        # break-glass password sign-in must work while the provider is down.
        self.UserModel = get_user_model()
        self.OIDC_RP_IDP_SIGN_KEY = getattr(settings, "OIDC_RP_IDP_SIGN_KEY", None)

    OIDC_RP_CLIENT_ID = property(lambda self: settings.OIDC_RP_CLIENT_ID)
    OIDC_RP_CLIENT_SECRET = property(lambda self: settings.OIDC_RP_CLIENT_SECRET)
    OIDC_RP_SIGN_ALGO = property(lambda self: settings.OIDC_RP_SIGN_ALGO)
    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: discovery()["token_endpoint"])
    OIDC_OP_USER_ENDPOINT = property(lambda self: discovery().get("userinfo_endpoint"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: discovery()["jwks_uri"])

    def authenticate(self, request, **kwargs):
        if not settings.OIDC_ENABLED or request is None or "code" not in request.GET:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except SignInRefused as refusal:
            self.refuse(request, refusal)
        except requests.RequestException as exc:
            self.refuse(request, SignInRefused(
                f"The identity provider did not accept the sign-in: {exc}",
                code="token_endpoint"))
        return None

    @staticmethod
    def refuse(request, refusal: SignInRefused) -> None:
        request.portal_sign_in_refusal = refusal
        identity.record_refusal(reason=refusal.reason, code=refusal.code,
                                subject=refusal.subject, address=client_address(request))

    # The ID token: signature, algorithm, issuer, audience, expiry, then the nonce.
    def _verify_jws(self, payload, key):
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.PyJWTError as exc:
            raise SignInRefused("The ID token is not a signed JWT.", code="malformed") from exc
        if header.get("alg") not in settings.OIDC_SIGN_ALGORITHMS:
            raise SignInRefused(
                f"The ID token is signed with {header.get('alg')!r}; the portal accepts "
                f"{', '.join(settings.OIDC_SIGN_ALGORITHMS)}.", code="algorithm")
        try:
            return jwt.decode(
                payload, key, algorithms=settings.OIDC_SIGN_ALGORITHMS,
                audience=settings.OIDC_RP_CLIENT_ID, issuer=settings.OIDC_ISSUER,
                leeway=settings.OIDC_CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]})
        except jwt.InvalidSignatureError as exc:
            raise SignInRefused("The ID token's signature does not match the identity "
                                "provider's keys.", code="signature") from exc
        except jwt.ExpiredSignatureError as exc:
            raise SignInRefused("The ID token has expired.", code="expired") from exc
        except jwt.InvalidIssuerError as exc:
            raise SignInRefused(
                f"The ID token was issued by {self._claim(payload, 'iss')!r}, not by the "
                f"configured issuer {settings.OIDC_ISSUER!r}.", code="issuer") from exc
        except jwt.InvalidAudienceError as exc:
            raise SignInRefused(
                f"The ID token is for {self._claim(payload, 'aud')!r}, not for this portal "
                f"(client {settings.OIDC_RP_CLIENT_ID!r}).", code="audience") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise SignInRefused(f"The ID token has no '{exc.claim}' claim.",
                                code="missing_claim") from exc
        except jwt.PyJWTError as exc:
            raise SignInRefused(f"The ID token is not valid: {exc}.", code="invalid") from exc

    @staticmethod
    def _claim(token, name):
        try:
            return jwt.decode(token, options={"verify_signature": False}).get(name)
        except jwt.PyJWTError:
            return None

    def retrieve_matching_jwk(self, token):
        try:
            return super().retrieve_matching_jwk(token)
        except SuspiciousOperation as exc:
            raise SignInRefused("The ID token is signed with a key the identity provider "
                                "does not publish.", code="signature") from exc

    def verify_token(self, token, **kwargs):
        if not token:
            raise SignInRefused("The identity provider sent no ID token.", code="no_id_token")
        nonce = kwargs.get("nonce")
        payload = self.get_payload_data(token, self._key_for(token))
        if payload.get("nonce") != nonce:
            raise SignInRefused("The ID token's nonce is not the one this sign-in sent: it "
                                "was issued for another sign-in.", code="nonce")
        return payload

    def _key_for(self, token):
        if self.OIDC_RP_IDP_SIGN_KEY is not None:
            return self.OIDC_RP_IDP_SIGN_KEY
        return self.retrieve_matching_jwk(token)

    def get_payload_data(self, token, key):
        return self._verify_jws(token, key)  # never an unsigned token

    def get_or_create_user(self, access_token, id_token, payload):
        # The ID token's verified claims; the userinfo endpoint is not needed for the groups
        # claim (Okta, Entra ID and Keycloak put it in the ID token).
        return identity.sign_in_from_claims(claims=payload,
                                            address=client_address(self.request))

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None


class LocalBackend(ModelBackend):
    """Passwords: every active local user with OIDC off; with it on, only the break-glass
    superusers that BREAK_GLASS_USERS names."""

    def user_can_authenticate(self, user):
        if not super().user_can_authenticate(user):
            return False
        if not settings.OIDC_ENABLED:
            return True
        return user.is_superuser and user.username in settings.BREAK_GLASS_USERS


def not_a_password(request, credentials=None) -> bool:
    """django-axes' whitelist (AXES_WHITELIST_CALLABLE): its lockout is for password guesses.
    A refused sign-in through the provider carries no username, so counting it would lock
    every later sign-in from the address (an office behind one NAT) after five refusals;
    those refusals are audited instead, and the provider guards its own login."""
    return credentials is not None and "password" not in credentials


# ─── the views ──────────────────────────────────────────────────────────────────────

class StartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider's authorization endpoint (code flow, PKCE)."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        if not settings.OIDC_ENABLED:
            return refusal_page(request, "Sign-in with the identity provider is not "
                                "configured here (OIDC_ISSUER is not set).", status=404)
        try:
            self.OIDC_OP_AUTH_ENDPOINT = discovery()["authorization_endpoint"]
        except (SignInRefused, KeyError) as exc:
            refusal = exc if isinstance(exc, SignInRefused) else SignInRefused(
                "The identity provider's discovery document has no authorization endpoint.",
                code="discovery")
            ProviderBackend.refuse(request, refusal)
            return refusal_page(request, refusal.reason, status=502)
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer: signed in, or a page that says why not."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            return refusal_page(request, "Sign-in with the identity provider is not "
                                "configured here.", status=404)
        if request.GET.get("error"):
            reason = (f"The identity provider answered: {request.GET.get('error')}"
                      + (f" ({request.GET['error_description']})"
                         if request.GET.get("error_description") else "") + ".")
            ProviderBackend.refuse(request, SignInRefused(reason, code="provider_error"))
            super().get(request)
            return refusal_page(request, reason)
        state = request.GET.get("state")
        if "code" in request.GET and state not in request.session.get("oidc_states", {}):
            reason = ("This sign-in was not started from this browser, or it was already "
                      "used (unknown state). Start again from the sign-in page.")
            ProviderBackend.refuse(request, SignInRefused(reason, code="state"))
            return refusal_page(request, reason)
        return super().get(request)

    def login_failure(self):
        refusal = getattr(self.request, "portal_sign_in_refusal", None)
        reason = refusal.reason if refusal else "The identity provider did not sign you in."
        return refusal_page(self.request, reason)


def refusal_page(request, reason: str, status: int = 403):
    if not hasattr(request, "user"):
        request.user = AnonymousUser()
    return render(request, "registration/sign_in_refused.html",
                  {"reason": reason, "oidc_enabled": settings.OIDC_ENABLED}, status=status)


def provider_logout_url(request) -> str:
    """Where sign-out goes: the provider's end_session_endpoint, where it offers one (RP-
    Initiated Logout), with the ID token as hint and the sign-in page to come back to."""
    back = request.build_absolute_uri(reverse(settings.LOGOUT_REDIRECT_URL))
    try:
        endpoint = discovery().get("end_session_endpoint")
    except SignInRefused:
        endpoint = None
    if not endpoint:
        return back
    params = {"post_logout_redirect_uri": back, "client_id": settings.OIDC_RP_CLIENT_ID}
    if request.session.get("oidc_id_token"):
        params["id_token_hint"] = request.session["oidc_id_token"]
    return f"{endpoint}?{urlencode(params)}"
