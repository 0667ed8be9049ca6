"""EMAIL_URL turns on the transport security it names (it left both off for smtps:// and
?ssl=true before), and the user, password and port come through."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER",
         "EMAIL_HOST_PASSWORD", "EMAIL_USE_SSL", "EMAIL_USE_TLS", "EMAIL_TIMEOUT")


def mail_settings(email_url: str) -> subprocess.CompletedProcess:
    """Django's mail settings as a process started with EMAIL_URL set reads them."""
    code = ("import json; from django.conf import settings; "
            f"print(json.dumps({{n: getattr(settings, n) for n in {NAMES!r}}}))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "governance.settings",
           "EMAIL_URL": email_url}
    for name in NAMES:
        env.pop(name, None)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def settings_for(email_url: str) -> dict:
    result = mail_settings(email_url)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(("url", "expected"), [
    ("smtps://mailer%40acme.example:p%40ss%2Fw%3Ard@mail.acme.example",
     {"EMAIL_HOST": "mail.acme.example", "EMAIL_PORT": 465, "EMAIL_USE_SSL": True,
      "EMAIL_USE_TLS": False, "EMAIL_HOST_USER": "mailer@acme.example",
      "EMAIL_HOST_PASSWORD": "p@ss/w:rd"}),
    ("smtp://relay.acme.example:2465?ssl=true",
     {"EMAIL_PORT": 2465, "EMAIL_USE_SSL": True, "EMAIL_USE_TLS": False}),
    ("smtp://portal:secret@relay.acme.example:587?tls=1",
     {"EMAIL_PORT": 587, "EMAIL_USE_SSL": False, "EMAIL_USE_TLS": True,
      "EMAIL_HOST_USER": "portal", "EMAIL_HOST_PASSWORD": "secret"}),
    ("submission://portal:secret@relay.acme.example?timeout=10",
     {"EMAIL_PORT": 587, "EMAIL_USE_SSL": False, "EMAIL_USE_TLS": True,
      "EMAIL_TIMEOUT": 10}),
    ("smtp://relay.acme.example",
     {"EMAIL_PORT": 25, "EMAIL_USE_SSL": False, "EMAIL_USE_TLS": False,
      "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": ""}),
])
def test_email_url_sets_transport_security_credentials_and_port(url, expected):
    found = settings_for(url)
    assert found["EMAIL_BACKEND"] == SMTP
    assert {key: found[key] for key in expected} == expected


def test_asking_for_both_ssl_and_starttls_is_refused_with_a_message():
    result = mail_settings("smtps://relay.acme.example?tls=1")
    assert result.returncode != 0
    assert "EMAIL_URL asks for both SSL" in result.stderr
