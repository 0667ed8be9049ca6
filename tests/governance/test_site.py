"""What a browser meets around the pages: the site's icon, compressed pages, and in
development the links that follow the address the portal was reached at."""

import gzip

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_site_has_an_icon_at_the_address_browsers_ask_for(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_every_page_links_its_icon(client):
    page = client.get(reverse("login")).content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page


def test_pages_are_compressed_for_browsers_that_ask(client):
    plain = client.get(reverse("login"))
    packed = client.get(reverse("login"), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert b"<form" in gzip.decompress(packed.content)
    assert len(packed.content) < len(plain.content)


def test_the_api_chooses_its_own_encoding(client, developer):
    client.force_login(developer)
    answer = client.get(reverse("api-server-list"), HTTP_ACCEPT_ENCODING="gzip")
    assert answer.status_code == 200 and "Content-Encoding" not in answer


def test_in_development_the_token_page_names_the_address_the_portal_was_reached_at(
        client, developer, settings):
    settings.PORTAL_BASE_URL_FROM_HOST = True
    settings.ALLOWED_HOSTS = ["192.168.1.20"]
    client.force_login(developer)
    page = client.get(reverse("tokens"), HTTP_HOST="192.168.1.20:8000").content.decode()
    assert "<code>http://192.168.1.20:8000</code>" in page


def test_outside_development_the_host_header_never_makes_a_link(client, developer, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.com"
    settings.PORTAL_BASE_URL_FROM_HOST = False
    settings.ALLOWED_HOSTS = ["attacker.example", "portal.example.com"]
    client.force_login(developer)
    page = client.get(reverse("tokens"), HTTP_HOST="attacker.example").content.decode()
    assert "<code>https://portal.example.com</code>" in page
    assert "attacker.example" not in page
