from celery import shared_task

from . import notifications


@shared_task(name="approvals.notify_request_event", autoretry_for=(Exception,), max_retries=3,
             retry_backoff=True)
def notify_request_event(request_id: int, verb: str):
    """Tell the people a request concerns what just happened to it."""
    return notifications.request_event(request_id, verb)
