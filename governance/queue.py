"""Queue follow-up work after the transaction commits. If the broker cannot be reached the
change still stands: the scheduled runs (reconciling scans) pick it up, and the export
files never wait for the queue (a download that finds them behind builds them)."""

import logging

from django.db import transaction

log = logging.getLogger(__name__)


def after_commit(task, *args, **kwargs):
    def send():
        try:
            task.delay(*args, **kwargs)
        except Exception:  # the broker is down: the next scheduled run does the work
            log.warning("could not queue %s; the next scheduled run will do it", task.name,
                        exc_info=True)

    transaction.on_commit(send)
