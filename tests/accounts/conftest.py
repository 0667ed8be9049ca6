"""Fixtures of the accounts tests: a SCIM client with its bearer token, and the group
mapping the SCIM tests assume."""

import json

import pytest

from accounts import identity
from accounts.models import GroupRoleMapping
from tests.accounts.scim_calls import SCIM


@pytest.fixture
def scim(client, db):
    _token, key = identity.issue_scim_token(name="Okta")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    class Scim:
        def get(self, path, **params):
            return client.get(f"/scim/v2/{path}", params, **auth)

        def post(self, path, body):
            raw = body if isinstance(body, str) else json.dumps(body)
            return client.post(f"/scim/v2/{path}", raw, content_type=SCIM, **auth)

        def patch(self, path, body):
            return client.patch(f"/scim/v2/{path}", json.dumps(body), content_type=SCIM,
                                **auth)

        def put(self, path, body):
            return client.put(f"/scim/v2/{path}", json.dumps(body), content_type=SCIM, **auth)

        def delete(self, path):
            return client.delete(f"/scim/v2/{path}", **auth)

    return Scim()


@pytest.fixture
def scim_mapping(settings, db):
    settings.OIDC_GROUP_ROLES = {}
    GroupRoleMapping.objects.create(group="Portal Security", role="security_team")
    GroupRoleMapping.objects.create(group="8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
                                    role="tech_lead")
