"""An audit entry's client address comes from the request (X-Forwarded-For behind a proxy,
as django-auditlog reads it) and the database keeps it normalised (an IPv6 address
lower-cased and compressed): the chain hashes it as it is kept, so an address written in
another spelling does not read as a tampered entry the next time verify_audit runs."""

import io

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command

from accounts.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("address", "kept"), [
    ("2001:DB8:0:0::1", "2001:db8::1"), ("2001:0db8::0001", "2001:db8::1"),
    ("::FFFF:10.0.0.1", None), ("10.1.2.3", "10.1.2.3")])
def test_an_address_in_any_spelling_keeps_the_chain_intact(client, developer, address, kept):
    client.force_login(developer)
    response = client.post("/accounts/tokens/", {"action": "create", "name": "laptop hook",
                                                   "expires": "90"},
                           HTTP_X_FORWARDED_FOR=address)
    assert response.status_code in (200, 302)
    token = ApiToken.objects.get(user=developer)
    entry = LogEntry.objects.get_for_object(token).get()
    assert entry.remote_addr == kept
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "The audit chain is intact" in out.getvalue()
