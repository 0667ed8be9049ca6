"""The beat schedule of SPEC §8, as django-celery-beat rows administrators can see and change
in the admin (Periodic tasks). Times are in TIME_ZONE."""

import json

from django.conf import settings
from django.db import migrations

CRONTAB = [
    # name, task, minute, hour, kwargs
    ("Expire approvals", "registry.expire_approvals", "10", "0", {}),
    ("Warn of expiring approvals", "registry.warn_expiring_approvals", "20", "0", {}),
    ("Nightly export", "registry.build_export", "30", "2", {"cause": "nightly rebuild"}),
    ("Flag overdue reviews", "approvals.flag_overdue_requests", "5", "*", {}),
    ("Review cycle reminder", "governance.review_cycle_reminder", "0", "8", {}),
]
# The reconciling run: notices whose task could not be queued, and mail not yet sent.
INTERVAL = [("Deliver notifications", "approvals.deliver_notifications", 5, "minutes")]
DESCRIPTIONS = {
    "Expire approvals": "Active approvals past expiry become expired; the export is rebuilt.",
    "Warn of expiring approvals": "30, 14 and 7 days before expiry, once per threshold.",
    "Nightly export": "A new snapshot only when the registry's content changed.",
    "Flag overdue reviews": "Flag requests past their due date; escalate a day later.",
    "Review cycle reminder": "Before and after the organisation's next review date.",
    "Deliver notifications": "Send notices not sent yet (after a mail, chat or broker outage).",
}


def add_schedule(apps, schema_editor):
    periodic = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    for name, task, minute, hour, kwargs in CRONTAB:
        schedule, _ = crontab.objects.get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*",
            timezone=settings.TIME_ZONE)
        periodic.objects.get_or_create(name=name, defaults={
            "task": task, "crontab": schedule, "kwargs": json.dumps(kwargs),
            "description": DESCRIPTIONS[name]})
    for name, task, every, period in INTERVAL:
        schedule, _ = interval.objects.get_or_create(every=every, period=period)
        periodic.objects.get_or_create(name=name, defaults={
            "task": task, "interval": schedule, "description": DESCRIPTIONS[name]})


def remove_schedule(apps, schema_editor):
    names = [row[0] for row in CRONTAB + INTERVAL]
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0002_seed_policy"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
