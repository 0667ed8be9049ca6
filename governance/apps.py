from django.apps import AppConfig
from django.db.models import ForeignKey, IntegerField

from . import checks  # noqa: F401  (the deployment checks register themselves)
from .celery import app as celery_app
from .lookups import AnyOf


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Policy"

    def ready(self):
        for field in (ForeignKey, IntegerField):  # IntegerField: the AutoFields too
            field.register_lookup(AnyOf)
        # Import every app's tasks module now (Celery's autodiscovery, by module name), so
        # that this process knows each task that a service sends by name and runs it here
        # when no broker is configured (eager mode). A worker does the same at its start.
        celery_app.autodiscover_tasks(force=True)
