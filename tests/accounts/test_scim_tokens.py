"""SCIM's bearer tokens (SPEC §10): made by an administrator and shown once, stored as a
digest; a missing, wrong or deleted token gets 401 with a SCIM error document, is audited,
and changes nothing; guessing is throttled."""

import json
import re

import pytest
from django.contrib.auth import get_user_model

from accounts.models import (
    IdentityEvent,
    ScimToken,
)
from tests.accounts.scim_calls import (
    ERROR_SCHEMA,
    SCIM,
    okta_user,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scim_mapping")]


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic dXNlcjpwYXNz",
                                    "Token mcpgov_abc"])
def test_a_call_without_a_valid_token_is_refused_and_audited(client, header):
    UserFactory(username="dev")
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.post("/scim/v2/Users", json.dumps(okta_user()), content_type=SCIM,
                           **extra)
    assert response.status_code == 401 and response["WWW-Authenticate"] == 'Bearer realm="scim"'
    assert response.json()["schemas"] == [ERROR_SCHEMA]
    assert "bearer token" in response.json()["detail"]
    assert not get_user_model().objects.filter(username="test.user@okta.local").exists()
    assert IdentityEvent.objects.filter(kind="scim_refused").count() == 1


def test_a_deleted_scim_token_stops_at_once(scim):
    ScimToken.objects.all().delete()
    assert scim.get("Users").status_code == 401


def test_guessing_scim_tokens_is_throttled(client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "failed_token": "3/min"}}
    statuses = [client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer guess-{n}"
                           ).status_code for n in range(4)]
    assert statuses == [401, 401, 401, 429]
    response = client.get("/scim/v2/Users", HTTP_AUTHORIZATION="Bearer guess-9")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert response.json()["schemas"] == [ERROR_SCHEMA]


def test_an_administrator_makes_a_scim_token_and_sees_its_key_once(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/admin/accounts/scimtoken/add/", {"name": "Okta provisioning"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    key = re.search(r'id="scim-token-key">([^<]+)<', response.content.decode()).group(1)
    token = ScimToken.objects.get(name="Okta provisioning")
    assert token.created_by == admin_user and key.startswith(token.prefix)
    assert key not in str(ScimToken.objects.values_list()) and not client.cookies.get(
        "messages")
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    page = client.get("/admin/accounts/scimtoken/").content.decode()
    assert token.prefix in page and key not in page
