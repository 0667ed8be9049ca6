"""The jobs that tell people (SPEC §8). Thin: each calls the services and is safe to run
twice. A job that changes state calls the service of the app whose state it is (the
registry expires approvals, the workflow flags overdue reviews), then records the notices
and sends what is unsent.

Task names are stored strings (django-celery-beat's rows, queued messages), so the jobs keep
the names they were first scheduled under, whichever app's name they carry."""

from celery import shared_task
from django.utils import timezone

from approvals import services as workflow
from campaigns import services as campaign_services
from registry import services as registry_services

from . import (
    approval_notices,
    audit_notices,
    campaign_notices,
    delegation_notices,
    overdue_notices,
    preferences,
    request_events,
    review_cycle,
    turn_notices,
)
from .delivery import deliver_pending
from .records import RETRY_WINDOW

RETRIES = {"autoretry_for": (Exception,), "max_retries": 3, "retry_backoff": True}


@shared_task(name="approvals.notify_request_event", **RETRIES)
def notify_request_event(request_id: int, verb: str):
    """Tell the people a request concerns what just happened to it (queued by the
    workflow after commit)."""
    return request_events.request_event(request_id, verb)


@shared_task(name="approvals.deliver_notifications", **RETRIES)
def deliver_notifications():
    """The reconciling run: record the notices of request events whose task was never
    queued (the broker was down), of delegations made or ended, and the turns of delegates
    whose delegation is in force, then send every notice not sent yet."""
    since = timezone.now() - RETRY_WINDOW
    recorded = request_events.record_missed_request_events(since=since)
    recorded += delegation_notices.record_delegation_notices(since=since)
    recorded += len(turn_notices.delegate_turns())
    return {"recorded": recorded, "mailed": deliver_pending()}


@shared_task(name="approvals.flag_overdue_requests", **RETRIES)
def flag_overdue_requests():
    """Flag reviews past their due date and escalate the ones a day late, once each; tell
    their reviewers and the directors."""
    counts = workflow.flag_overdue_requests()
    overdue_notices.notify_overdue_requests()
    counts["mailed"] = deliver_pending()
    return counts


@shared_task(name="registry.expire_approvals", **RETRIES)
def expire_approvals():
    """Expire what is due (the export is rebuilt after commit), then tell its people."""
    expired = registry_services.expire_due_approvals()
    told = approval_notices.notify_expired_approvals()
    return {"expired": len(expired), "notices": told, "mailed": deliver_pending()}


@shared_task(name="registry.warn_expiring_approvals", **RETRIES)
def warn_expiring_approvals():
    """The 30, 14 and 7-day warnings before an approval expires, once per threshold."""
    warned = approval_notices.warn_expiring_approvals()
    return {"warnings": warned, "mailed": deliver_pending()}


@shared_task(name="governance.review_cycle_reminder", **RETRIES)
def review_cycle_reminder():
    """Remind before and after the organisation's next review date, once per stage."""
    recorded = review_cycle.review_cycle_reminder()
    return {"reminders": recorded, "mailed": deliver_pending()}


@shared_task(name="notifications.send_daily_digests", **RETRIES)
def send_daily_digests():
    """Mail each person the notices they chose to read in a daily digest, once each."""
    return {"mailed": preferences.send_daily_digests()}


@shared_task(name="campaigns.notify_campaign_started", **RETRIES)
def notify_campaign_started(campaign_id: int):
    """Tell the owners a campaign just put their approvals to them (queued by the campaign's
    service after commit; the daily run records what this missed)."""
    told = campaign_notices.notify_campaigns(campaign_id=campaign_id)
    return {"notices": told, "mailed": deliver_pending()}


@shared_task(name="campaigns.run_campaigns", **RETRIES)
def run_campaigns():
    """The daily campaign run: start the review cycle's campaign when it is due, revoke or
    flag what nobody answered by its due date, then the start notices missed, the
    reminders due and the overdue notices, once each."""
    started = campaign_services.start_scheduled_campaign()
    closed = campaign_services.close_overdue_items()
    told = campaign_notices.notify_campaigns()
    return {"started": started.pk if started else None,
            "revoked": len(closed["revoked"]), "flagged": len(closed["flagged"]),
            "notices": told, "mailed": deliver_pending()}


@shared_task(name="audit.verify_chain", **RETRIES)
def verify_audit_chain():
    """Check the audit trail's hash chain, publish today's signed head to the security team,
    and alert them when the chain is broken."""
    result = audit_notices.check_audit_chain()
    result["mailed"] = deliver_pending()
    return result
