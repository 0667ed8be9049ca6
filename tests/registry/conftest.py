"""Fixtures of the Registry API tests: the organisation in open mode with the namespace
com.acme, and an anonymous reader."""

import pytest
from django.test import Client

from governance.models import Organisation


@pytest.fixture
def org(db):
    org = Organisation.load()
    org.registry_namespace = "com.acme"
    org.registry_api_access = "open"
    org.save()
    return org


@pytest.fixture
def reader():
    return Client()
