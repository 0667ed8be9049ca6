"""Upgrading keeps people working. A database built at the schema of the release before
hashed API tokens, holding that release's kind of data (users, groups, a DRF token, requests,
an approval, sign-offs, audit records), migrates forward to today's schema: every row the
release had is still there with the same values, and the API token made before the upgrade
still authenticates, while its key is no longer stored anywhere."""

import datetime as dt

import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.models import ApiToken

# The release: every app's last migration on main before hashed tokens (commit 8e3c3f3).
# Migrations added since (by this change or later ones) are what the test runs forward.
RELEASE = [
    ("admin", "0003_logentry_add_action_flag_choices"),
    ("approvals", "0004_signoff_stale"),
    ("auditlog", "0017_add_actor_email"),
    ("auth", "0012_alter_user_first_name_max_length"),
    ("authtoken", "0004_alter_tokenproxy_options"),
    ("contenttypes", "0002_remove_content_type_name"),
    ("django_celery_beat", "0019_alter_periodictasks_options"),
    ("governance", "0003_beat_schedule"),
    ("registry", "0001_initial"),
    ("sessions", "0001_initial"),
]
# Tables renamed since the release, when their model moved to another app (issue 9):
# their rows are compared under the new name.
RENAMED = {"approvals_notification": "notifications_notification",
           "approvals_notification_recipients": "notifications_notification_recipients"}
# New jobs join the beat schedule in a migration (registry 0004, the upstream release watch):
# these tables may gain rows after the ones the release had, never lose or change one.
# (approvals 0009 adds the inspector's job, every 15 minutes: an interval schedule.)
SCHEDULE_TABLES = {"django_celery_beat_crontabschedule", "django_celery_beat_periodictask",
                   "django_celery_beat_periodictasks", "django_celery_beat_intervalschedule"}
OLD_KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"  # a DRF key: 40 hex digits
PASSWORD = "an-old-password-1"

pytestmark = pytest.mark.django_db(transaction=True)


def drop_every_table():
    """An empty database, as a fresh PostgreSQL or SQLite one is."""
    quote = connection.ops.quote_name
    tables = connection.introspection.table_names()
    if connection.vendor == "sqlite":
        connection.disable_constraint_checking()
    try:
        with connection.cursor() as cursor:
            for table in tables:
                cascade = " CASCADE" if connection.vendor == "postgresql" else ""
                cursor.execute(f"DROP TABLE IF EXISTS {quote(table)}{cascade}")
    finally:
        if connection.vendor == "sqlite":
            connection.enable_constraint_checking()


def rows(tables) -> dict[str, list[dict]]:
    """Every row of `tables`, as {column: value}, in primary-key order."""
    out = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            names = [column[0] for column in cursor.description]
            out[table] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return out


@pytest.fixture
def release_database():
    """The release's schema, built forward from nothing; today's schema again afterwards."""
    drop_every_table()
    executor = MigrationExecutor(connection)
    executor.migrate(RELEASE)
    yield executor.loader.project_state(RELEASE).apps
    call_command("migrate", verbosity=0)


def insert_release_data(apps):
    user_model = apps.get_model("auth", "User")
    group_model = apps.get_model("auth", "Group")
    developer = user_model.objects.create(username="dev", email="dev@company.com",
                                          password=make_password(PASSWORD))
    lead = user_model.objects.create(username="john", password=make_password(PASSWORD))
    security = user_model.objects.create(username="sec", password=make_password(PASSWORD))
    pat = user_model.objects.create(username="pat", password=make_password(PASSWORD))
    for user, role in ((lead, "tech_lead"), (security, "security_team"),
                       (pat, "platform_team")):
        user.groups.add(group_model.objects.create(name=role))
    token = apps.get_model("authtoken", "Token").objects.create(key=OLD_KEY, user=pat)

    now = timezone.now()
    server = apps.get_model("registry", "Server").objects.create(
        name="context7", source="https://github.com/upstash/context7", package_registry="npm",
        package="@upstash/context7-mcp")
    config = {"command": "npx", "args": ["-y", "@upstash/context7-mcp@1.0.14"], "env": {}}
    request_model = apps.get_model("approvals", "Request")
    decided = request_model.objects.create(
        kind="new_server", server=server, version="1.0.14", requester=developer,
        proposed_data_scope="PUBLIC", data_scope="PUBLIC", risk="LOW", config=config,
        use_case="Documentation lookup.", status="approved", reviewer=security,
        expected_decision=now + dt.timedelta(days=7), decided_at=now)
    approval = apps.get_model("registry", "Approval").objects.create(
        server=server, version="1.0.14", data_scope="PUBLIC", risk="LOW", config=config,
        rationale="Read-only.", approved_by="john@company.com, sec@company.com",
        approved_date=now.date(), expires=now.date() + dt.timedelta(days=180),
        request=decided)
    approval.approvers.add(lead, security)
    signoff_model = apps.get_model("approvals", "SignOff")
    for user, role in ((lead, "tech_lead"), (security, "security_team")):
        signoff_model.objects.create(request=decided, user=user, role=role, decision="approve",
                                     comment="Reviewed.")
    apps.get_model("approvals", "RequestEvent").objects.create(
        request=decided, actor=security, verb="approved", from_status="awaiting_security",
        to_status="approved")
    request_model.objects.create(
        kind="version_bump", server=server, version="1.0.15", requester=developer,
        proposed_data_scope="PUBLIC", config={**config, "args": ["-y",
                                                                "@upstash/context7-mcp@1.0.15"]},
        expected_decision=now + dt.timedelta(days=2), base_approval=approval)
    content_type = apps.get_model("contenttypes", "ContentType").objects.create(
        app_label="registry", model="approval")
    entry_model = apps.get_model("auditlog", "LogEntry")
    for action, changes in ((0, {"version": [None, "1.0.14"]}), (1, {"risk": ["", "LOW"]})):
        entry_model.objects.create(
            content_type=content_type, object_pk=str(approval.pk), object_id=approval.pk,
            object_repr="context7 1.0.14", action=action, changes=changes, actor=security,
            timestamp=now)
    return token


def test_the_release_migrates_forward_without_loss_and_old_tokens_still_work(
        release_database, client):
    old_token = insert_release_data(release_database)
    tables = [t for t in connection.introspection.table_names()
              if t not in ("django_migrations", "authtoken_token")]
    before = rows(tables)
    assert before["approvals_request"] and before["auditlog_logentry"]

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    after = rows([RENAMED.get(table, table) for table in tables])
    for table, old_rows in before.items():
        new_rows = after[RENAMED.get(table, table)]
        if table in SCHEDULE_TABLES:
            new_rows = new_rows[:len(old_rows)]
        assert len(new_rows) == len(old_rows), table
        for old, new in zip(old_rows, new_rows, strict=True):
            assert {k: new[k] for k in old} == old, table  # new columns may be added

    # The DRF key is no longer stored; the user's existing key authenticates as before.
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
    token = ApiToken.objects.get()
    assert token.user.username == "pat" and token.expiry is None
    assert token.digest != OLD_KEY and token.token_key == OLD_KEY[:15]
    assert token.created == old_token.created
    response = client.get("/api/v1/exports/", HTTP_AUTHORIZATION=f"Token {OLD_KEY}")
    assert response.status_code == 200, response.content
    response = client.get("/api/v1/servers/context7/", HTTP_AUTHORIZATION=f"Token {OLD_KEY}")
    assert response.status_code == 200 and response.json()["name"] == "context7"
    assert client.get("/api/v1/servers/", HTTP_AUTHORIZATION="Token " + "0" * 40
                      ).status_code == 401
    # Passwords and roles came through too: the old password signs in, the role still counts.
    response = client.post("/accounts/login/", {"username": "sec", "password": PASSWORD})
    assert response.status_code == 302, response.content
    assert client.get("/queue/").status_code == 200
