"""Sign-in against a real OpenID Connect provider (SPEC §10): oidc-provider on Node, started
by the test on a local port (tests/servers/oidc_provider.py). The whole code flow over HTTP
(authorization with PKCE, the provider's login page, the token endpoint, the JWKS), and ID
tokens the provider's key signs with a wrong issuer, audience, nonce or expiry, or that
another key signs under the provider's key id: each refused, nothing changed."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model

from accounts import roles
from accounts.identity import SignInRefused
from accounts.models import ExternalIdentity, IdentityEvent
from accounts.oidc import ProviderBackend
from tests.servers.oidc_provider import PASSWORD

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def sign_in(live_server, username, password=PASSWORD, next_page="/requests/mine/"
            ) -> tuple[requests.Session, requests.Response]:
    """The browser's part of the code flow, over HTTP: the portal sends us to the provider,
    we sign in on its login page, it sends us back with a code."""
    browser = requests.Session()
    login_page = browser.get(f"{live_server.url}/oidc/authenticate/?next={next_page}",
                              timeout=10)
    assert login_page.status_code == 200 and "Test identity provider" in login_page.text
    action = re.search(r'action="([^"]+)"', login_page.text).group(1)
    provider = "{0.scheme}://{0.netloc}".format(urlsplit(login_page.url))
    answer = browser.post(f"{provider}{action}", data={"username": username,
                                                       "password": password}, timeout=10)
    return browser, answer


def user_named(username):
    return get_user_model().objects.get(username=username)


def test_the_code_flow_signs_in_with_the_roles_the_groups_give(oidc_portal, live_server):
    browser, landed = sign_in(live_server, "alice", next_page="/queue/")
    assert landed.status_code == 200 and landed.url == f"{live_server.url}/queue/"
    alice = user_named("alice")
    assert roles.roles_of(alice) == {"security_team"}
    assert (alice.email, alice.get_full_name()) == ("alice@company.com", "Alice Ng")
    assert ExternalIdentity.objects.get(user=alice).subject == "00u-alice"
    assert IdentityEvent.objects.filter(user=alice, kind="sign_in").count() == 1
    # PKCE was used: the authorization request carried a S256 challenge
    first = browser.get(f"{live_server.url}/oidc/authenticate/", allow_redirects=False)
    query = parse_qs(urlsplit(first.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]


def test_a_group_dropped_at_the_provider_is_a_role_gone_at_the_next_sign_in(
        oidc_portal, live_server):
    sign_in(live_server, "bob")
    assert roles.roles_of(user_named("bob")) == {"tech_lead"}
    oidc_portal.set_groups("bob", ["Engineering"])
    _browser, landed = sign_in(live_server, "bob")
    assert landed.status_code == 200
    assert roles.roles_of(user_named("bob")) == set()
    assert IdentityEvent.objects.filter(kind="roles_changed",
                                        data__removed=["tech_lead"]).exists()


@pytest.mark.parametrize(("username", "says"), [
    ("nogroups", "sent no &#x27;groups&#x27; claim"),
    ("sales", "None of your groups at the identity provider gives access"),
])
def test_a_person_without_a_mapped_group_gets_a_refusal_page(oidc_portal, live_server,
                                                             username, says):
    _browser, answer = sign_in(live_server, username)
    assert answer.status_code == 403 and says in answer.text
    assert not get_user_model().objects.filter(username=username).exists()
    assert IdentityEvent.objects.filter(kind="sign_in_refused").count() == 1


def test_refusals_from_one_address_do_not_lock_out_the_next_person(oidc_portal, live_server):
    for _ in range(6):  # past the password lockout's limit of 5
        assert sign_in(live_server, "sales")[1].status_code == 403
    _browser, landed = sign_in(live_server, "alice")
    assert landed.status_code == 200 and roles.roles_of(user_named("alice")) == {
        "security_team"}


def test_a_wrong_password_stays_on_the_providers_page(oidc_portal, live_server):
    _browser, answer = sign_in(live_server, "alice", password="wrong")
    assert answer.status_code == 401 and "Wrong username or password" in answer.text
    assert not get_user_model().objects.filter(username="alice").exists()


def test_sign_out_ends_the_portal_session_and_the_providers(oidc_portal, live_server):
    browser, _landed = sign_in(live_server, "alice")
    page = browser.get(f"{live_server.url}/queue/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    out = browser.post(f"{live_server.url}/accounts/logout/",
                       data={"csrfmiddlewaretoken": token},
                       headers={"Referer": f"{live_server.url}/queue/"},
                       allow_redirects=False)
    location = out.headers["Location"]
    assert location.startswith(f"{oidc_portal.issuer}/session/end")
    query = parse_qs(urlsplit(location).query)
    assert query["post_logout_redirect_uri"] == [f"{live_server.url}/accounts/login/"]
    assert query["id_token_hint"]
    assert browser.get(f"{live_server.url}/queue/", allow_redirects=False).status_code == 302


# ─── ID tokens against the provider's own JWKS ────────────────────────────────────────

def verify(token, nonce="n-1"):
    return ProviderBackend().verify_token(token, nonce=nonce)


def test_a_token_the_providers_key_signs_is_accepted(oidc_portal):
    assert verify(oidc_portal.mint())["sub"] == "00u-alice"


@pytest.mark.parametrize(("claims", "code"), [
    ({"iss": "http://127.0.0.1:1"}, "issuer"),
    ({"aud": "another-client"}, "audience"),
    ({"nonce": "another-sign-in"}, "nonce"),
    ({"exp": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5),
      "iat": dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)}, "expired"),
])
def test_a_token_the_providers_key_signs_with_a_bad_claim_is_refused(oidc_portal, claims,
                                                                     code):
    with pytest.raises(SignInRefused) as refusal:
        verify(oidc_portal.mint(**claims))
    assert refusal.value.code == code


def test_a_token_another_key_signs_under_the_providers_key_id_is_refused(oidc_portal):
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(SignInRefused) as refusal:
        verify(oidc_portal.mint(key=forger))
    assert refusal.value.code == "signature"


def test_a_token_with_a_key_id_the_provider_does_not_publish_is_refused(oidc_portal):
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(SignInRefused) as refusal:
        verify(oidc_portal.mint(key=forger, kid="not-the-providers"))
    assert refusal.value.code == "signature" and "does not publish" in refusal.value.reason
