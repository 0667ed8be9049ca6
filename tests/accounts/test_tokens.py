"""API tokens (SPEC §7, §10): made on the token page, shown once, stored only as a digest;
they expire, stop with their user, record their last use at most once a minute, and wrong
ones are throttled (429 with Retry-After) per client address."""

import datetime as dt
import json
import re
import secrets

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import issue_token
from governance.errors import InvalidInput
from tests.factories import ApprovalFactory

pytestmark = pytest.mark.django_db
CHECK = {"mcpServers": {"context7": {"command": "npx",
                                     "args": ["-y", "@context7/mcp-server@1.2.3"]}}}


def create_on_page(client, name="laptop hook", expires="90"):
    page = client.post(reverse("tokens"), {"action": "create", "name": name,
                                           "expires": expires})
    found = re.search(r'id="new-token"><code>([^<]+)</code>', page.content.decode())
    return page, found.group(1) if found else None


def check(client, key, **extra):
    return client.post("/api/v1/check", CHECK, content_type="application/json",
                       HTTP_AUTHORIZATION=f"Token {key}", **extra)


def test_the_token_page_shows_the_key_once_then_only_its_first_characters(client, developer):
    client.force_login(developer)
    page, key = create_on_page(client)
    assert page.status_code == 200 and key.startswith("mcpgov_") and len(key) == 71
    assert page["Cache-Control"] == "no-store"
    assert "shown only this once" in page.content.decode()

    later = client.get(reverse("tokens")).content.decode()
    assert key not in later
    assert f"<code>{key[:15]}…</code>" in later and "laptop hook" in later
    assert check(client, key).status_code == 200  # the key shown works


def test_the_database_holds_no_clear_key(client, developer):
    client.force_login(developer)
    _page, key = create_on_page(client)
    token = ApiToken.objects.get(user=developer)
    assert token.digest != key and key not in token.digest and token.token_key == key[:15]
    with connection.cursor() as cursor:  # every column of every table, sessions included
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                assert not any(key in str(value) for value in row), table
    for session in Session.objects.all():
        assert key not in json.dumps(session.get_decoded())


def test_creating_and_revoking_a_token_is_audited_without_its_digest(client, developer):
    client.force_login(developer)
    create_on_page(client, name="deploy pipeline")
    token = ApiToken.objects.get(user=developer)
    client.post(reverse("tokens"), {"action": "revoke", "token": token.digest})
    entries = LogEntry.objects.filter(content_type__model="apitoken").order_by("pk")
    assert [e.action for e in entries] == [LogEntry.Action.CREATE, LogEntry.Action.DELETE]
    assert all(e.actor == developer for e in entries)
    assert entries[0].changes_dict["name"] == ["None", "deploy pipeline"]
    assert "digest" not in entries[0].changes_dict


def test_a_user_has_several_tokens_and_revokes_one_at_a_time(client, developer,
                                                             other_developer):
    client.force_login(developer)
    _page, hook = create_on_page(client, name="hook")
    _page, pipeline = create_on_page(client, name="pipeline", expires="never")
    theirs, their_key = issue_token(user=other_developer, name="theirs", days=30)
    hook_token = ApiToken.objects.get(name="hook")

    client.post(reverse("tokens"), {"action": "revoke", "token": theirs.digest})
    assert check(client, their_key).status_code == 200  # not theirs to revoke
    response = client.post(reverse("tokens"), {"action": "revoke", "token": hook_token.digest},
                           follow=True)
    assert "The token is revoked" in response.content.decode()
    assert check(client, hook).status_code == 401
    assert check(client, pipeline).status_code == 200


def test_the_user_chooses_the_expiry_and_an_expired_token_gets_401(client, developer):
    client.force_login(developer)
    _page, key = create_on_page(client, expires="30")
    token = ApiToken.objects.get(user=developer)
    assert token.expiry.date() == (timezone.now() + dt.timedelta(days=30)).date()
    with time_machine.travel(timezone.now() + dt.timedelta(days=29)):
        assert check(client, key).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        response = check(client, key)
        assert response.status_code == 401
        assert response.json() == {"detail": f"Token expired on "
                                   f"{timezone.localtime(token.expiry):%Y-%m-%d %H:%M}.",
                                   "errors": {}}
        client.force_login(developer)  # the session of a month ago has ended
        assert "expired</span>" in client.get(reverse("tokens")).content.decode()


def test_administrators_set_the_longest_lifetime(client, developer, settings):
    settings.API_TOKEN_MAX_DAYS = 60
    client.force_login(developer)
    page = client.get(reverse("tokens")).content.decode()
    assert 'value="30"' in page and 'value="60"' in page
    assert 'value="never"' not in page and 'value="365"' not in page
    for expires in ("never", "365"):
        response, key = create_on_page(client, expires=expires)
        assert response.status_code == 400 and key is None
        assert "at most 60 days" in response.content.decode()
    with pytest.raises(InvalidInput, match="at most 60 days"):
        issue_token(user=developer, name="from code", days=None)
    assert not ApiToken.objects.exists()


def test_a_token_needs_a_name(client, developer):
    client.force_login(developer)
    response, key = create_on_page(client, name="  ")
    assert response.status_code == 400 and key is None
    assert "This field is required" in response.content.decode()


def test_a_deactivated_users_tokens_stop_at_once(client, developer):
    _token, key = issue_token(user=developer, name="hook", days=None)
    assert check(client, key).status_code == 200
    developer.is_active = False
    developer.save()
    response = check(client, key)
    assert response.status_code == 401 and response.json()["detail"] == \
        "User inactive or deleted."


def updates_of_tokens(queries) -> int:
    return sum(1 for q in queries.captured_queries
               if q["sql"].startswith("UPDATE") and ApiToken._meta.db_table in q["sql"])


def test_last_use_is_written_at_most_once_a_minute(client, developer):
    _token, key = issue_token(user=developer, name="hook", days=None)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with CaptureQueriesContext(connection) as first:
            assert check(client, key).status_code == 200
        with CaptureQueriesContext(connection) as second:
            assert check(client, key).status_code == 200
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False), \
            CaptureQueriesContext(connection) as within_the_minute:
        assert check(client, key).status_code == 200
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False), \
            CaptureQueriesContext(connection) as a_minute_later:
        assert check(client, key).status_code == 200
    assert [updates_of_tokens(q) for q in (first, second, within_the_minute,
                                            a_minute_later)] == [1, 0, 0, 1]
    assert ApiToken.objects.get().last_used == start + dt.timedelta(seconds=61)
    client.force_login(developer)
    page = client.get(reverse("tokens")).content.decode()
    assert f"{timezone.localtime(start + dt.timedelta(seconds=61)):%Y-%m-%d %H:%M}" in page


@pytest.mark.parametrize("header", [
    "Token", "Token a b", "Token ÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿÿ", "Token " + "a" * 5000,
    "Token abcdefghijklmnopqrst\x00uvw", "Token mcpgov_' OR '1'='1",
])
def test_a_malformed_token_answers_401_never_500(client, header):
    response = client.get("/api/v1/servers/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "errors"}


def test_random_tokens_get_429_with_retry_after_and_a_locked_address_learns_nothing(
        client, developer):
    _token, key = issue_token(user=developer, name="hook", days=None)
    attacker = {"REMOTE_ADDR": "198.51.100.7"}
    statuses = []
    for _ in range(300):
        guess = "mcpgov_" + secrets.token_hex(32)
        response = client.get("/api/v1/servers/", HTTP_AUTHORIZATION=f"Token {guess}",
                              **attacker)
        statuses.append(response.status_code)
    assert statuses[:30] == [401] * 30 and set(statuses[30:]) == {429}
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json() == {"detail": "Too many failed token attempts from your address. "
                               f"Expected available in {response['Retry-After']} seconds.",
                               "errors": {}}
    # Even the right key is not looked at from that address until the wait is over ...
    assert check(client, key, **attacker).status_code == 429
    # ... while the hook from another address goes on working.
    assert check(client, key, REMOTE_ADDR="198.51.100.8").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        assert check(client, key, **attacker).status_code == 200


def test_the_same_wrong_key_again_is_not_a_new_guess(client, developer):
    """A hook or pipeline whose token was revoked keeps hearing why, not "busy"."""
    token, key = issue_token(user=developer, name="hook", days=None)
    token.delete()
    statuses = {check(client, key).status_code for _ in range(100)}
    assert statuses == {401}
    assert check(client, key).json()["detail"] == "Invalid token."


def test_x_forwarded_for_counts_only_behind_the_proxies_the_operator_declared(
        client, settings):
    def guesses(**headers):
        return [client.get("/api/v1/servers/", HTTP_AUTHORIZATION=f"Token {n:040d}",
                           HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7",
                           REMOTE_ADDR="127.0.0.1", **headers).status_code
                for n in range(31)]

    # No proxy declared: the header is the client's own text; the address is REMOTE_ADDR.
    assert guesses()[-1] == 429
    cache.clear()
    # One proxy: the address it saw (the last in the header), whatever the client wrote.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert guesses()[-1] == 429
    response = client.get("/api/v1/servers/", HTTP_AUTHORIZATION="Token " + "0" * 40,
                          HTTP_X_FORWARDED_FOR="198.51.100.9", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 401  # another client behind the same proxy


def test_each_user_has_a_generous_rate_then_429_with_retry_after(client, developer, platform,
                                                                  settings):
    ApprovalFactory(server__name="context7", server__package="@context7/mcp-server")
    _token, key = issue_token(user=platform, name="pipeline", days=None)
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    url = "/api/v1/exports/latest/managed-settings.json"
    # A pipeline polling every second for two minutes and a hook at every session start.
    assert {client.get(url, **auth).status_code for _ in range(120)} == {200}

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "user": "3/min"}}
    cache.clear()
    assert [client.get(url, **auth).status_code for _ in range(4)] == [200, 200, 200, 429]
    response = client.get(url, **auth)
    assert int(response["Retry-After"]) > 0 and response.json()["errors"] == {}
    _token, developer_key = issue_token(user=developer, name="hook", days=None)
    assert check(client, developer_key).status_code == 200  # counted per user


def test_the_api_keeps_working_when_the_shared_cache_is_down(client, developer, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:9/0"}}
    _token, key = issue_token(user=developer, name="hook", days=None)
    assert check(client, key).status_code == 200
    assert check(client, "0" * 40).status_code == 401
