"""Notification belongs to the notifications app now (notifications 0001 takes it over with
its tables and rows): approvals forgets the model; notifications 0002 renames the tables."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("approvals", "0006_notification_revoked"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        ),
    ]
