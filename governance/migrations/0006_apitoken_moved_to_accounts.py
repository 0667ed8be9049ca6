"""ApiToken belongs to the accounts app now (accounts 0001 takes it over with its table and
rows): governance forgets the model, and the table stays until accounts renames it."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("governance", "0005_hash_drf_tokens"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ApiToken")],
            database_operations=[],
        ),
    ]
