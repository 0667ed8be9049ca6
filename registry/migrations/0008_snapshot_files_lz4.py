"""The export snapshot's files compressed by PostgreSQL with lz4 rather than its default
pglz: a build at 100,000 approvals stores about 66 MB of text, and pglz spent about as long
compressing it as the build spent writing it (lz4: a third of the time, files a fifth
larger on disk). Only where the server supports lz4 (PostgreSQL 14 or later, built with
it); elsewhere, and on SQLite, nothing changes. Values already stored keep their
compression."""

from django.db import DatabaseError, migrations, transaction

COLUMNS = ("registry_yaml", "managed_mcp_json", "managed_settings_json", "diff")


def use_lz4(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.pg_version < 140000:
        return
    table = apps.get_model("registry", "ExportSnapshot")._meta.db_table
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            for column in COLUMNS:
                cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" '
                               "SET COMPRESSION lz4")
    except DatabaseError:  # a server built without lz4
        return


def use_pglz(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.pg_version < 140000:
        return
    table = apps.get_model("registry", "ExportSnapshot")._meta.db_table
    with connection.cursor() as cursor:
        for column in COLUMNS:
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET COMPRESSION pglz')


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_excluded_tools")]

    operations = [migrations.RunPython(use_lz4, use_pglz)]
