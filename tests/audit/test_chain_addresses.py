"""An audit entry's client address: the one the throttles see (REMOTE_ADDR, or behind the
proxies the operator declared, the address the outermost proxy saw), never what a client
wrote in X-Forwarded-For itself; the database keeps it normalised (an IPv6 address
lower-cased and compressed) and the chain hashes it as kept, so an address spelled
otherwise does not read as a tampered entry; a header that is no address or port changes
nothing and never fails the write."""

import io

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command

from accounts.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def behind_a_proxy(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def make_token(client, user, **headers):
    client.force_login(user)
    response = client.post("/accounts/tokens/", {"action": "create", "name": "laptop hook",
                                                 "expires": "90"},
                           REMOTE_ADDR="127.0.0.1", **headers)
    assert response.status_code == 200
    return LogEntry.objects.get_for_object(ApiToken.objects.get(user=user)).get()


def assert_chain_intact():
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "The audit chain is intact" in out.getvalue()


@pytest.mark.parametrize(("address", "kept"), [
    ("2001:DB8:0:0::1", "2001:db8::1"), ("2001:0db8::0001", "2001:db8::1"),
    ("::FFFF:10.0.0.1", "::ffff:10.0.0.1"), ("10.1.2.3", "10.1.2.3")])
def test_an_address_in_any_spelling_keeps_the_chain_intact(client, developer, behind_a_proxy,
                                                           address, kept):
    entry = make_token(client, developer, HTTP_X_FORWARDED_FOR=f"203.0.113.9, {address}",
                       HTTP_X_FORWARDED_PORT="51234")
    assert (entry.remote_addr, entry.remote_port) == (kept, 51234)
    assert_chain_intact()


def test_without_a_declared_proxy_the_header_is_the_clients_own_and_ignored(client,
                                                                           developer):
    entry = make_token(client, developer, HTTP_X_FORWARDED_FOR="198.51.100.66",
                       HTTP_X_FORWARDED_PORT="443")
    assert (entry.remote_addr, entry.remote_port) == ("127.0.0.1", None)
    assert_chain_intact()


@pytest.mark.parametrize("headers", [
    {"HTTP_X_FORWARDED_PORT": "-1"}, {"HTTP_X_FORWARDED_PORT": "99999999999"},
    {"HTTP_X_FORWARDED_PORT": "٣"}, {"HTTP_X_FORWARDED_FOR": "not-an-address"},
    {"HTTP_X_FORWARDED_FOR": "10.0.0.1:8080"}])
def test_a_header_that_is_no_address_or_port_is_left_out(client, developer, behind_a_proxy,
                                                         headers):
    entry = make_token(client, developer, **headers)
    assert entry.remote_port is None
    assert entry.remote_addr in (None, "127.0.0.1")
    assert_chain_intact()
