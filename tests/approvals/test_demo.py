"""`make run`'s demo data: every role has a login, approvals are live, one expires soon."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from accounts.roles import ALL_ROLES
from approvals.demo import DEMO_PASSWORD
from registry.models import Approval, ExportSnapshot

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_login_for_every_role_and_live_approvals():
    out = StringIO()
    call_command("load_demo", stdout=out)
    users = get_user_model().objects
    for role in ALL_ROLES:
        assert users.filter(groups__name=role).exists(), role
        assert role in out.getvalue()
    assert users.get(username="dev").check_password(DEMO_PASSWORD)
    today = timezone.localdate()
    live = Approval.objects.deployable(today)
    assert live.count() == 3
    assert live.filter(expires__lte=today + dt.timedelta(days=30)).exists()
    snapshot = ExportSnapshot.objects.latest()
    assert len(json.loads(snapshot.managed_mcp_json)["mcpServers"]) == 3


def test_loading_the_demo_again_on_a_later_day_adds_nothing():
    import time_machine

    from approvals.models import Request

    call_command("load_demo", stdout=StringIO())
    counts = (get_user_model().objects.count(), Approval.objects.count(),
              Request.objects.count())
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        call_command("load_demo", stdout=StringIO())
    assert (get_user_model().objects.count(), Approval.objects.count(),
            Request.objects.count()) == counts


@pytest.mark.django_db(transaction=True)
def test_the_demo_prints_its_logins_and_no_raw_mail(settings, capsys):
    """`make run` in development (the console mail backend): the terminal shows the logins,
    not the demo's notices as raw mails; the notices are in the portal, and no worker mails
    them later."""
    from notifications.models import Notification

    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    call_command("load_demo")  # committed as `make run` does, so its notices are sent
    out = capsys.readouterr().out
    assert "Demo logins" in out
    assert "Subject:" not in out and "Content-Type:" not in out
    assert Notification.objects.exists()
    assert not Notification.objects.filter(mailed_at__isnull=True).exists()
    assert settings.EMAIL_BACKEND.endswith("console.EmailBackend")
