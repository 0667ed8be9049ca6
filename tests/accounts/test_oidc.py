"""The ID token is checked in full before anyone is signed in (SPEC §10): a wrong issuer,
audience, nonce or signature, an expired token, an unsigned one: each refused with a reason
a person can read. Here the provider's public key is given as OIDC_RP_IDP_SIGN_KEY (a
setting mozilla-django-oidc offers beside JWKS); tests/services/test_oidc_provider.py runs
the same checks against a real provider's JWKS. Also: the sign-in page with OIDC on and off,
break-glass passwords, sign-out, and the callback's refusals that need no provider."""

import datetime as dt

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from accounts import identity
from accounts.identity import SignInRefused
from accounts.models import ExternalIdentity, GroupRoleMapping, IdentityEvent
from accounts.oidc import ProviderBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ISSUER = "https://login.company.example"
CLIENT = "mcp-portal"
PASSWORD = "pw-for-tests-1"


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


PROVIDER_KEY = new_key()
OTHER_KEY = new_key()


def public_pem(key):
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.fixture
def oidc(settings):
    settings.OIDC_ISSUER = ISSUER
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT
    settings.OIDC_RP_IDP_SIGN_KEY = public_pem(PROVIDER_KEY)
    settings.OIDC_GROUP_ROLES = {}
    GroupRoleMapping.objects.create(group="engineering", role="member")
    return settings


def id_token(key=PROVIDER_KEY, alg="RS256", **overrides):
    now = dt.datetime.now(dt.UTC)
    claims = {"iss": ISSUER, "aud": CLIENT, "sub": "00u-alice", "nonce": "n-1",
              "iat": now, "exp": now + dt.timedelta(minutes=5), "groups": ["engineering"],
              "email": "alice@company.com"}
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": "k1"})


def verify(token, nonce="n-1"):
    return ProviderBackend().verify_token(token, nonce=nonce)


def test_a_good_token_gives_its_claims(oidc):
    assert verify(id_token())["sub"] == "00u-alice"


@pytest.mark.parametrize(("token", "code", "says"), [
    (lambda: id_token(iss="https://evil.example"), "issuer",
     "issued by 'https://evil.example', not by the configured issuer"),
    (lambda: id_token(aud="another-app"), "audience", "is for 'another-app', not for this"),
    (lambda: id_token(key=OTHER_KEY), "signature", "signature does not match"),
    (lambda: id_token(exp=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5),
                      iat=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)),
     "expired", "has expired"),
    (lambda: id_token(alg="HS256", key="a-shared-secret-of-32-bytes-long!"), "algorithm",
     "signed with 'HS256'"),
    (lambda: jwt.encode({"iss": ISSUER, "aud": CLIENT, "sub": "x"}, None, algorithm="none"),
     "algorithm", "signed with 'none'"),
    (lambda: id_token(exp=None), "missing_claim", "no 'exp' claim"),
    (lambda: "not-a-jwt", "malformed", "not a signed JWT"),
])
def test_a_bad_id_token_is_refused_with_its_reason(oidc, token, code, says):
    with pytest.raises(SignInRefused) as refusal:
        verify(token())
    assert refusal.value.code == code and says in refusal.value.reason


def test_a_token_issued_for_another_sign_in_is_refused_by_its_nonce(oidc):
    with pytest.raises(SignInRefused) as refusal:
        verify(id_token(nonce="someone-elses"))
    assert refusal.value.code == "nonce"


def test_a_refusal_is_logged_and_audited_and_creates_no_user(oidc, caplog):
    request = RequestFactory().get("/oidc/callback/")
    ProviderBackend.refuse(request, SignInRefused("The ID token has expired.",
                                                  code="expired"))
    event = IdentityEvent.objects.get(kind="sign_in_refused")
    assert event.detail == "The ID token has expired." and event.data["code"] == "expired"
    assert "sign-in refused (expired)" in caplog.text
    assert not get_user_model().objects.exists()


# ─── the pages ─────────────────────────────────────────────────────────────────────

def test_with_oidc_off_the_sign_in_page_is_the_password_form(client):
    UserFactory(username="dev")
    page = client.get("/accounts/login/").content.decode()
    assert 'name="password"' in page and "identity provider" not in page
    response = client.post("/accounts/login/", {"username": "dev", "password": PASSWORD})
    assert response.status_code == 302


def test_with_oidc_on_the_page_offers_the_provider_and_passwords_are_off(oidc, client):
    UserFactory(username="dev")
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with your identity provider" in page and 'name="password"' not in page
    response = client.post("/accounts/login/", {"username": "dev", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_a_break_glass_superuser_may_still_use_a_password(oidc, client):
    oidc.BREAK_GLASS_USERS = ["root"]
    UserFactory(username="root", is_superuser=True, is_staff=True)
    UserFactory(username="dev")
    page = client.get("/accounts/login/").content.decode()
    assert "Break-glass sign-in" in page
    assert client.post("/accounts/login/", {"username": "dev", "password": PASSWORD}
                       ).status_code == 200
    assert client.post("/accounts/login/", {"username": "root", "password": PASSWORD}
                       ).status_code == 302


def test_the_provider_saying_no_gets_a_page_that_says_so(oidc, client):
    response = client.get("/oidc/callback/", {"error": "access_denied",
                                              "error_description": "User is not assigned"})
    assert response.status_code == 403
    assert "The identity provider answered: access_denied (User is not assigned)" in \
        response.content.decode()
    assert IdentityEvent.objects.filter(kind="sign_in_refused",
                                        data__code="provider_error").exists()


def test_a_callback_this_browser_did_not_start_is_refused(oidc, client):
    response = client.get("/oidc/callback/", {"code": "c", "state": "forged"})
    assert response.status_code == 403
    assert "not started from this browser" in response.content.decode()


def test_a_deactivated_persons_session_ends_at_once(oidc, client):
    user = identity.sign_in_from_claims(claims={"sub": "00u-bob", "groups": ["engineering"]})
    client.force_login(user, backend="accounts.oidc.ProviderBackend")
    assert client.get("/requests/mine/").status_code == 200
    identity.deactivate_user(user=user, reason="left")
    response = client.get("/requests/mine/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_sign_out_without_the_provider_goes_to_the_sign_in_page(client):
    client.force_login(UserFactory(username="dev"))
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/logout/").status_code == 405


def test_the_identity_link_is_kept_after_a_refused_sign_in(oidc):
    identity.sign_in_from_claims(claims={"sub": "00u-carol", "groups": ["engineering"]})
    with pytest.raises(SignInRefused):
        identity.sign_in_from_claims(claims={"sub": "00u-carol", "groups": ["sales"]})
    # kept, with the groups the provider sent last (the ones that took the roles away)
    assert ExternalIdentity.objects.get(subject="00u-carol").groups == ["sales"]
