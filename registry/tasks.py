from celery import shared_task

from . import services


@shared_task(name="registry.build_export", autoretry_for=(Exception,), max_retries=3,
             retry_backoff=True)
def build_export(cause: str = "registry changed"):
    """Build a new export snapshot if the registry's content changed."""
    snapshot = services.build_export(cause=cause)
    return snapshot.pk if snapshot else None
