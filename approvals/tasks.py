"""Request jobs (SPEC §8): notices of what happens to a request, overdue reviews, and the
reconciling delivery run. Thin: each calls the service layer and is safe to run twice."""

from celery import shared_task
from django.utils import timezone

from . import notifications, services


@shared_task(name="approvals.notify_request_event", autoretry_for=(Exception,), max_retries=3,
             retry_backoff=True)
def notify_request_event(request_id: int, verb: str):
    """Tell the people a request concerns what just happened to it."""
    return notifications.request_event(request_id, verb)


@shared_task(name="approvals.flag_overdue_requests", autoretry_for=(Exception,),
             max_retries=3, retry_backoff=True)
def flag_overdue_requests():
    """Flag reviews past their due date and escalate the ones a day late, once each."""
    counts = services.flag_overdue_requests()
    counts["mailed"] = notifications.deliver_pending()
    return counts


@shared_task(name="approvals.deliver_notifications", autoretry_for=(Exception,),
             max_retries=3, retry_backoff=True)
def deliver_notifications():
    """The reconciling run: record the notices of request events whose task was never
    queued (the broker was down), then send every notice not sent yet."""
    recorded = notifications.record_missed_request_events(
        since=timezone.now() - notifications.RETRY_WINDOW)
    return {"recorded": recorded, "mailed": notifications.deliver_pending()}
