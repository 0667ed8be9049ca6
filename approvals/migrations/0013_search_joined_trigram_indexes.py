"""One trigram index per table the review queue's search reads, on its searched columns
joined into one text, in place of one index a column (0012): the expression is the one
`governance.expressions.Joined` compiles to under `icontains`, so that PostgreSQL reads one
index a table (each trigram index walks the long lists of trigrams that most rows share;
two or four of them a table cost half of a searched page at 100,000 servers). PostgreSQL
only, and only where 0012 could create pg_trgm; elsewhere the search reads the rows."""

import logging

from django.db import migrations

log = logging.getLogger(__name__)

SEPARATOR = "E'\\x1f'"  # governance.expressions.SEPARATOR, as an SQL literal
JOINED = (
    ("approvals_request", ("package", "version", "use_case", "what_changed"),
     "approvals_request_search"),
    ("registry_server", ("name", "package"), "registry_server_search"),
    ("auth_user", ("username", "first_name", "last_name"), "auth_user_search"),
)
COLUMN_INDEXES = (  # 0012's
    "approvals_request_search_package", "approvals_request_search_version",
    "approvals_request_search_use_case", "approvals_request_search_what_changed",
    "registry_server_search_name", "registry_server_search_package",
    "auth_user_search_username", "auth_user_search_first_name", "auth_user_search_last_name",
)


def _has_trigrams(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in COLUMN_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    if not _has_trigrams(schema_editor):
        log.warning("pg_trgm is not installed: the review queue's search reads every row")
        return
    for table, columns, name in JOINED:
        joined = f" || {SEPARATOR} || ".join(f'"{column}"' for column in columns)
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f"USING gin ((UPPER(({joined})::text)) gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, _columns, name in JOINED:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    if _has_trigrams(schema_editor):
        for table, column, name in (
                (name.split("_search_")[0], name.split("_search_")[1], name)
                for name in COLUMN_INDEXES):
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')


class Migration(migrations.Migration):

    dependencies = [
        ("approvals", "0012_search_trigram_indexes"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
