"""The inspector's jobs (issue 14). inspect_request and inspect_approval go to their own
queue (settings.INSPECTION_QUEUE), which only the `inspector` service consumes: it alone
may start bubblewrap (docker-compose.yml). Thin over approvals.services.inspection."""

from celery import shared_task

from registry.models import Approval

from .services import inspection


@shared_task(name="approvals.inspect_request", acks_late=True)
def inspect_request(request_id: int):
    """After filing (or an edit of the version or config): inspect what it asks for."""
    found = inspection.run_request_inspection(request_id)
    return found.status if found else None


@shared_task(name="approvals.inspect_approval", acks_late=True)
def inspect_approval(approval_id: int):
    """An active approval never inspected (queued by the job below), once."""
    approval = Approval.objects.filter(pk=approval_id).first()
    return inspection.inspect_approval(approval).status if approval else None


@shared_task(name="approvals.inspect_pending")
def inspect_pending():
    """Every 15 minutes, on the main worker: send the inspector what was lost and the
    active approvals never inspected, each as a task of its own."""
    return inspection.queue_pending()
