"""The inspector's jobs (issue 14), on their own queue (settings.INSPECTION_QUEUE), which
only the `inspector` service consumes: it alone may start bubblewrap (docker-compose.yml).
Thin over approvals.services.inspection."""

from celery import shared_task

from .services import inspection


@shared_task(name="approvals.inspect_request", acks_late=True)
def inspect_request(request_id: int):
    """After filing (or an edit of the version or config): inspect what it asks for."""
    found = inspection.run_request_inspection(request_id)
    return found.status if found else None


@shared_task(name="approvals.inspect_pending")
def inspect_pending():
    """Every 15 minutes: request inspections whose task was lost, then active approvals
    never inspected (each once); one failing server never stops the next."""
    return inspection.inspect_pending()
