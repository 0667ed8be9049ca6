"""Registry jobs (SPEC §8). Each looks up what is due and calls the service layer; running
one twice changes nothing twice."""

from celery import shared_task

from approvals import notifications

from . import services


@shared_task(name="registry.build_export", autoretry_for=(Exception,), max_retries=3,
             retry_backoff=True)
def build_export(cause: str = "registry changed"):
    """Build a new export snapshot if the registry's content changed (after every change
    and nightly). Only an optimisation: a download that finds the files behind the
    registry builds them itself (registry.services.current_export)."""
    snapshot = services.build_export(cause=cause)
    return snapshot.pk if snapshot else None


@shared_task(name="registry.expire_approvals", autoretry_for=(Exception,), max_retries=3,
             retry_backoff=True)
def expire_approvals():
    """Expire what is due (the export is rebuilt after commit), then tell its people."""
    expired = services.expire_due_approvals()
    told = services.notify_expired_approvals()
    mailed = notifications.deliver_pending()
    return {"expired": len(expired), "notices": told, "mailed": mailed}


@shared_task(name="registry.warn_expiring_approvals", autoretry_for=(Exception,),
             max_retries=3, retry_backoff=True)
def warn_expiring_approvals():
    """The 30, 14 and 7-day warnings before an approval expires, once per threshold."""
    warned = services.warn_expiring_approvals()
    mailed = notifications.deliver_pending()
    return {"warnings": warned, "mailed": mailed}
