"""Follow-up work queued after the transaction commits, by task name.

A service sends a task by its name (Celery's `app.signature(name, ...)`), never by importing
the module that defines it: the task usually lives in a layer above the service (the
workflow queues a notice that the notifications app makes), and a name keeps the
dependency pointing one way. The task runs in-process when no broker is configured (eager
mode), since every app's tasks are registered at start (governance.apps).

If the broker cannot be reached the change still stands: the scheduled runs (reconciling
scans) pick it up, and the export files never wait for the queue (a download that finds them
behind builds them)."""

import logging

from celery import current_app
from django.db import transaction

log = logging.getLogger(__name__)


def send_task(name: str, *args, **kwargs):
    """Send the task called `name` now (run it now in eager mode); its result, or None when
    the broker is down (the next scheduled run does the work)."""
    try:
        return current_app.signature(name, args=args, kwargs=kwargs).delay()
    except Exception:  # the broker is down: the next scheduled run does the work
        log.warning("could not queue %s; the next scheduled run will do it", name,
                    exc_info=True)
        return None


def after_commit_task(name: str, *args, **kwargs) -> None:
    """Send the task called `name` once the current transaction commits (never, if it rolls
    back)."""
    transaction.on_commit(lambda: send_task(name, *args, **kwargs))
