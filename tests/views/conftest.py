import pytest
from django.test import Client


@pytest.fixture
def client_for(db):
    """A browser-like client signed in as `user` (CSRF checks on, as in a real browser)."""

    def _client(user):
        client = Client(enforce_csrf_checks=False)
        client.force_login(user)
        return client

    return _client
