"""Organisation jobs (SPEC §8)."""

from celery import shared_task

from approvals import notifications

from . import jobs


@shared_task(name="governance.review_cycle_reminder", autoretry_for=(Exception,),
             max_retries=3, retry_backoff=True)
def review_cycle_reminder():
    """Remind before and after the organisation's next review date, once per stage."""
    recorded = jobs.review_cycle_reminder()
    return {"reminders": recorded, "mailed": notifications.deliver_pending()}
