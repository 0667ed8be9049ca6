"""The daily campaign run joins the beat schedule (times in TIME_ZONE): it starts the
review cycle's campaign, revokes or flags what nobody answered, and sends the reminders."""

import json

from django.conf import settings
from django.db import migrations

RUN = "Recertification campaigns"


def forwards(apps, schema_editor):
    crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = crontab.objects.get_or_create(
        minute="10", hour="8", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone=settings.TIME_ZONE)
    periodic.objects.get_or_create(name=RUN, defaults={
        "task": "campaigns.run_campaigns", "crontab": schedule, "kwargs": json.dumps({}),
        "description": "Start the review cycle's campaign when due, revoke or flag what "
                       "no owner answered by the due date, remind owners before it."})


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=RUN).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
