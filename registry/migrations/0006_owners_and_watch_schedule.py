"""Existing approvals are owned by the person who requested them (the default of new ones),
and the upstream release watch joins the beat schedule (daily, times in TIME_ZONE)."""

import json

from django.conf import settings
from django.db import migrations
from django.db.models import OuterRef, Subquery

WATCH = "Upstream release watch"


def forwards(apps, schema_editor):
    approval = apps.get_model("registry", "Approval")
    request = apps.get_model("approvals", "Request")
    approval.objects.filter(owner__isnull=True, request__isnull=False).update(
        owner=Subquery(request.objects.filter(pk=OuterRef("request_id")).values(
            "requester_id")[:1]))
    crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = crontab.objects.get_or_create(
        minute="40", hour="3", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone=settings.TIME_ZONE)
    periodic.objects.get_or_create(name=WATCH, defaults={
        "task": "registry.watch_upstream_releases", "crontab": schedule,
        "kwargs": json.dumps({}),
        "description": "Ask each approved package's registry for newer, deprecated or "
                       "yanked releases; tell owners and the security team once each."})


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=WATCH).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0005_upstream_watch"),
        ("approvals", "0002_initial"),  # reads Request.requester (added there)
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
