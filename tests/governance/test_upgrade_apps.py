"""Models that moved to another app keep their rows and their audit trail. A database at
the schema main had before the apps were split (issue 9: Notification in approvals,
ApiToken in governance), holding notices with their recipients,
API tokens and audit entries about both, migrates forward with `migrate`: every row is
still there with the same values under its table's new name, the audit entries' content
types now name the moved models (notifications.Notification, accounts.ApiToken) and the
audit trail shows them, the token still authenticates and the notice is still its
recipient's. The beat schedule's stored task names are tasks the portal still has."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from celery import current_app
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from knox.crypto import hash_token

from accounts.models import ApiToken
from audit.chain import verify
from notifications.models import Notification
from tests.governance.test_upgrade import drop_every_table, rows

# main before the split: every app's last migration then.
BEFORE = [
    ("admin", "0003_logentry_add_action_flag_choices"),
    ("approvals", "0006_notification_revoked"),
    ("auditlog", "0017_add_actor_email"),
    ("auth", "0012_alter_user_first_name_max_length"),
    ("authtoken", "0004_alter_tokenproxy_options"),
    ("axes", "0010_accessattemptexpiration"),
    ("contenttypes", "0002_remove_content_type_name"),
    ("django_celery_beat", "0019_alter_periodictasks_options"),
    ("governance", "0005_hash_drf_tokens"),
    ("registry", "0002_registry_revision"),
    ("sessions", "0001_initial"),
]
RENAMED = {"approvals_notification": "notifications_notification",
           "approvals_notification_recipients": "notifications_notification_recipients",
           "governance_apitoken": "accounts_apitoken"}
KEY = "d1c2" + "ab" * 30  # a key as knox makes them: 64 hex digits

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_before_the_split():
    drop_every_table()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    yield executor.loader.project_state(BEFORE).apps
    ContentType.objects.clear_cache()
    call_command("migrate", verbosity=0)


def insert_data(apps) -> dict:
    user_model = apps.get_model("auth", "User")
    developer = user_model.objects.create(username="dev", email="dev@company.com")
    security = user_model.objects.create(username="sec", email="sec@company.com",
                                         is_superuser=True, is_staff=True)
    security.groups.add(apps.get_model("auth", "Group").objects.create(name="security_team"))
    now = timezone.now()
    server = apps.get_model("registry", "Server").objects.create(name="context7")
    config = {"command": "npx", "args": ["-y", "@upstash/context7-mcp@1.0.14"]}
    request = apps.get_model("approvals", "Request").objects.create(
        kind="new_server", server=server, version="1.0.14", requester=developer,
        config=config, status="approved", expected_decision=now, decided_at=now)
    approval = apps.get_model("registry", "Approval").objects.create(
        server=server, version="1.0.14", data_scope="PUBLIC", risk="LOW", config=config,
        approved_by="sec@company.com", approved_date=now.date(),
        expires=now.date() + dt.timedelta(days=180), request=request)
    notification = apps.get_model("approvals", "Notification").objects.create(
        key=f"event:{request.pk}", kind="request_event",
        subject=f"Approved: context7 1.0.14 (request #{request.pk})", body="Status: Approved",
        link=f"/requests/{request.pk}/", request=request, approval=approval, to_chat=True,
        mailed_at=now)
    notification.recipients.add(developer, security)
    token = apps.get_model("governance", "ApiToken").objects.create(
        digest=hash_token(KEY), token_key=KEY[:15], user=developer, name="hook on my laptop")

    content_type = apps.get_model("contenttypes", "ContentType")
    entries = apps.get_model("auditlog", "LogEntry")
    for (app_label, model), pk, text in (
            (("approvals", "notification"), notification.pk, notification.subject),
            (("governance", "apitoken"), token.pk, "d1c2abababababa… (hook on my laptop)")):
        moved = content_type.objects.create(app_label=app_label, model=model)
        apps.get_model("auth", "Permission").objects.create(
            content_type=moved, codename=f"view_{model}", name=f"Can view {model}")
        entries.objects.create(content_type=moved, object_pk=str(pk),
                       object_id=pk if isinstance(pk, int) else None, object_repr=text,
                       action=0, changes={"name": [None, text]}, actor=security,
                       timestamp=now)
    return {"notification": notification.pk, "token": token.pk, "request": request.pk}


def test_moved_models_keep_their_rows_and_their_audit_entries(
        database_before_the_split, client):
    ids = insert_data(database_before_the_split)
    tables = [t for t in connection.introspection.table_names()
              if t not in ("django_migrations", "django_content_type")]
    before = rows(tables)
    assert before["approvals_notification_recipients"] and before["governance_apitoken"]
    types_before = rows(["django_content_type"])["django_content_type"]

    call_command("migrate", verbosity=0)  # refuses an inconsistent history, as on a deploy

    # Every row is kept, by its primary key (`migrate` adds the content types and
    # permissions of today's models beside them).
    after = rows([RENAMED.get(table, table) for table in tables])
    for table, old_rows in before.items():
        new_rows = {next(iter(row.values())): row for row in after[RENAMED.get(table, table)]}
        for old in old_rows:
            new = new_rows[next(iter(old.values()))]
            assert {k: new[k] for k in old} == old, table
    assert not {"approvals_notification", "governance_apitoken"} & set(
        connection.introspection.table_names())
    # The same content type rows (same ids, so every audit entry and permission that points
    # at them follows), under the apps the models belong to now.
    types_after = {row["id"]: (row["app_label"], row["model"])
                   for row in rows(["django_content_type"])["django_content_type"]}
    moved = {("approvals", "notification"): ("notifications", "notification"),
             ("governance", "apitoken"): ("accounts", "apitoken")}
    for row in types_before:
        was = (row["app_label"], row["model"])
        assert types_after[row["id"]] == moved.get(was, was)
    assert set(moved) <= {(row["app_label"], row["model"]) for row in types_before}

    ContentType.objects.clear_cache()
    by_model = {entry.content_type.model_class(): entry for entry in LogEntry.objects.all()}
    assert set(by_model) == {Notification, ApiToken}
    assert by_model[Notification].object_pk == str(ids["notification"])
    assert by_model[ApiToken].object_pk == ids["token"]
    # The upgrade chained the entries written before the hash chain existed, once.
    verdict = verify()
    assert verdict.ok and verdict.head_seq == LogEntry.objects.count() == 2

    # The audit trail shows them, under the apps they belong to now.
    security = get_user_model().objects.get(username="sec")
    client.force_login(security)
    listed = client.get("/api/v1/audit/").json()["results"]
    assert sorted(entry["object_type"] for entry in listed) == [
        "accounts.apitoken", "notifications.notification"]
    page = client.get("/admin/auditlog/logentry/").content.decode()
    assert f"/admin/notifications/notification/{ids['notification']}/change/" in page
    assert "/admin/accounts/apitoken/" in page

    # The rows work: the token authenticates its user (dev: the catalog yes, the exports
    # no), and the notice is still its recipient's.
    client.logout()
    assert client.get("/api/v1/servers/", HTTP_AUTHORIZATION=f"Token {KEY}").status_code == 200
    response = client.get("/api/v1/exports/", HTTP_AUTHORIZATION=f"Token {KEY}")
    assert response.status_code == 403 and response.json()["detail"].startswith("Exports are")
    assert client.get("/api/v1/servers/", HTTP_AUTHORIZATION="Token " + "0" * 64
                      ).status_code == 401
    client.force_login(get_user_model().objects.get(username="dev"))
    assert f"Approved: context7 1.0.14 (request #{ids['request']})" in client.get(
        "/notifications/").content.decode()


def test_the_stored_beat_schedule_still_names_tasks_the_portal_has(database_before_the_split):
    call_command("migrate", verbosity=0)

    scheduled = set(PeriodicTask.objects.exclude(task__startswith="celery.")
                    .values_list("task", flat=True))
    assert len(scheduled) == 11 and scheduled <= set(current_app.tasks)


def test_entries_moved_to_the_old_content_type_are_chained_after_the_move(
        database_before_the_split):
    """A migrate run between a model's move and its content type's move made the new type,
    and entries were written under it; the move hands them to the old type (same id for
    every older entry). The chain is built after that rewrite, so it verifies."""
    ids = insert_data(database_before_the_split)
    apps = database_before_the_split
    made = apps.get_model("contenttypes", "ContentType").objects.create(
        app_label="notifications", model="notification")
    apps.get_model("auditlog", "LogEntry").objects.create(
        content_type=made, object_pk=str(ids["notification"]), object_id=ids["notification"],
        object_repr="seen", action=1, changes={"seen": ["False", "True"]},
        timestamp=timezone.now())

    call_command("migrate", verbosity=0)

    ContentType.objects.clear_cache()
    assert {entry.content_type.model_class() for entry in LogEntry.objects.all()} == {
        Notification, ApiToken}
    verdict = verify()
    assert verdict.ok, verdict.problem
    assert verdict.head_seq == LogEntry.objects.count() == 3
