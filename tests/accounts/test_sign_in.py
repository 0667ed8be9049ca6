"""Password guessing (SPEC §10): after 5 wrong passwords for one username from one address,
that pair is locked for 15 minutes, even with the right password: 429 with Retry-After and
a page that says why. Other addresses and other usernames are not held up."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pw-for-tests-1"  # tests.factories.UserFactory's
HERE = {"REMOTE_ADDR": "198.51.100.7"}


@pytest.fixture
def dev(db):
    return UserFactory(username="dev")


def sign_in(client, password, username="dev", **address):
    return client.post("/accounts/login/", {"username": username, "password": password},
                       **(address or HERE))


def signed_in(client) -> bool:
    return client.get("/requests/mine/").status_code == 200


def test_six_wrong_passwords_then_the_right_one_is_still_locked(client, dev):
    statuses = [sign_in(client, f"guess-{n}").status_code for n in range(6)]
    assert statuses == [200, 200, 200, 200, 429, 429]

    response = sign_in(client, PASSWORD)
    assert response.status_code == 429 and not signed_in(client)
    assert response["Retry-After"] == "900"
    page = " ".join(response.content.decode().split())
    assert "Sign-in locked for 15 minutes" in page
    assert "After 5 wrong passwords for this username from your address" in page


def test_a_wrong_password_before_the_limit_says_so_on_the_form(client, dev):
    response = sign_in(client, "guess")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_the_lockout_ends_fifteen_minutes_after_the_last_attempt(client, dev):
    for n in range(5):
        sign_in(client, f"guess-{n}")
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):
        assert sign_in(client, PASSWORD).status_code == 429  # and the wait starts again
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=24)):
        assert sign_in(client, PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=40)):
        assert sign_in(client, PASSWORD).status_code == 302 and signed_in(client)


def test_the_lockout_holds_one_username_from_one_address(client, dev):
    UserFactory(username="jane")
    for n in range(5):
        sign_in(client, f"guess-{n}")
    assert sign_in(client, PASSWORD, username="jane").status_code == 302
    client.logout()
    assert sign_in(client, PASSWORD, REMOTE_ADDR="198.51.100.8").status_code == 302


def test_the_right_password_before_the_limit_starts_the_count_again(client, dev):
    for n in range(4):
        sign_in(client, f"guess-{n}")
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    assert [sign_in(client, f"again-{n}").status_code for n in range(4)] == [200] * 4


def test_the_admin_sign_in_is_locked_too(client, dev):
    dev.is_staff = dev.is_superuser = True
    dev.save()
    for n in range(5):
        client.post("/admin/login/", {"username": "dev", "password": f"guess-{n}"}, **HERE)
    response = client.post("/admin/login/", {"username": "dev", "password": PASSWORD}, **HERE)
    assert response.status_code == 429
