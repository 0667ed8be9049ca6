import pytest
from rest_framework.test import APIClient

from accounts.services import issue_token


@pytest.fixture
def api():
    """api(user) -> an APIClient authenticated with the user's token (None: anonymous)."""

    def _client(user=None):
        client = APIClient()
        if user is not None:
            _token, key = issue_token(user=user, name="tests", days=None)
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return _client
