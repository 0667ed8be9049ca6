"""Registry jobs (SPEC §8). Each looks up what is due and calls the service layer; running
one twice changes nothing twice. The jobs that also tell people (expiry, warnings) are
notifications' (notifications.tasks)."""

from celery import shared_task

from . import services


@shared_task(name="registry.build_export", autoretry_for=(Exception,), max_retries=3,
             retry_backoff=True)
def build_export(cause: str = "registry changed"):
    """Build a new export snapshot if the registry's content changed (after every change
    and nightly). Only an optimisation: a download that finds the files behind the
    registry builds them itself (registry.services.current_export)."""
    snapshot = services.build_export(cause=cause)
    return snapshot.pk if snapshot else None
