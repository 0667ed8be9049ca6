"""The requester withdraws an open request."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from audit.actors import acting_as
from governance.errors import NotAllowed

from ..models import Request
from .steps import ensure_open, lock_request, make_move, mark_registry_changed, record_event


def withdraw_locked(actor, request):
    ensure_open(request, "be withdrawn")
    if actor != request.requester:
        raise NotAllowed("Only the requester can withdraw a request.")
    before = request.status
    with acting_as(actor):
        make_move(request, "withdraw")
        request.decided_at = timezone.now()
        request.save()
        record_event(request, actor, "withdrawn", before=before)
        mark_registry_changed(request, "withdrawn")
    return request


@transaction.atomic
def withdraw(*, actor, request) -> Request:
    return withdraw_locked(actor, lock_request(request))
