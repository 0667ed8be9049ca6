"""Trigram indexes (PostgreSQL's pg_trgm) for the review queue's search: one per column it
searches, on the expression Django's `icontains` compares (`UPPER(column::text)`), so that
each table's search (approvals.filtersets.RequestFilterSet.filter_search) reads an index
instead of every row. PostgreSQL only; elsewhere (SQLite) the search reads the rows.

pg_trgm is a trusted extension (PostgreSQL 13 on): the database's owner may create it. Where
it cannot be created, the indexes are left out with a warning and the search still works,
reading the rows."""

import logging

from django.db import DatabaseError, migrations, transaction

log = logging.getLogger(__name__)

INDEXES = (
    ("approvals_request", "package", "approvals_request_search_package"),
    ("approvals_request", "version", "approvals_request_search_version"),
    ("approvals_request", "use_case", "approvals_request_search_use_case"),
    ("approvals_request", "what_changed", "approvals_request_search_what_changed"),
    ("registry_server", "name", "registry_server_search_name"),
    ("registry_server", "package", "registry_server_search_package"),
    ("auth_user", "username", "auth_user_search_username"),
    ("auth_user", "first_name", "auth_user_search_first_name"),
    ("auth_user", "last_name", "auth_user_search_last_name"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:
        log.warning("pg_trgm could not be created (%s): the review queue's search reads "
                    "every row instead of trigram indexes", exc)
        return
    for table, column, name in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, _column, name in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):

    dependencies = [
        ("approvals", "0011_inspection"),
        ("registry", "0008_snapshot_files_lz4"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
