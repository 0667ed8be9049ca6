"""Registry jobs (SPEC §8). Each looks up what is due and calls the service layer; running
one twice changes nothing twice. The jobs that also tell people (expiry, warnings) are
notifications' (notifications.tasks)."""

from celery import shared_task

from . import services, upstream_watch


@shared_task(name="registry.build_export", autoretry_for=(Exception,), max_retries=3,
             retry_backoff=True)
def build_export(cause: str = "registry changed"):
    """Build a new export snapshot if the registry's content changed (after every change
    and nightly). Only an optimisation: a download that finds the files behind the
    registry builds them itself (registry.services.current_export)."""
    snapshot = services.build_export(cause=cause)
    return snapshot.pk if snapshot else None


@shared_task(name="registry.watch_upstream_releases")
def watch_upstream_releases():
    """Daily: ask each approved package's registry for newer, deprecated or yanked releases
    and record them once each (the owners and the security team are told). A registry that
    fails is logged and counted, never retried at once: the next day's run asks again."""
    report = upstream_watch.watch_upstream_releases()
    return {"packages": report.packages, "updates": report.updates,
            "withdrawn": report.withdrawn, "failed": report.failed,
            "not_configured": len(report.skipped)}
