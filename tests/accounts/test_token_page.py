"""The API token page: a user makes and revokes their own tokens; sign-in first."""

import re

import pytest
from django.urls import reverse

from accounts.models import ApiToken


@pytest.mark.django_db
def test_user_creates_and_revokes_their_token_from_the_page(client, developer):
    client.force_login(developer)
    page = client.get(reverse("tokens"))
    assert b"You have no token" in page.content
    page = client.post(reverse("tokens"), {"action": "create", "name": "laptop hook",
                                           "expires": "90"}, follow=True)
    key = re.search(r'id="new-token"><code>([^<]+)</code>', page.content.decode()).group(1)
    token = ApiToken.objects.get(user=developer)
    assert key.startswith(token.token_key) and token.name == "laptop hook"
    assert key.encode() not in client.get(reverse("tokens")).content  # shown once
    client.post(reverse("tokens"), {"action": "revoke", "token": token.digest})
    assert not ApiToken.objects.filter(user=developer).exists()


def test_token_page_needs_sign_in(client):
    response = client.get(reverse("tokens"))
    assert response.status_code == 302
