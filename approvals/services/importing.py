"""The importer's requests. The importer (approvals.importer.import_registry) writes what a
registry file says through these, inside its own transaction: the same moves, events,
denials and notices as a page."""

from __future__ import annotations

from django_fsm import can_proceed

from governance.errors import Conflict

from ..models import Request, RequestEvent
from .signoff import decide_denied, deny_if_restricted
from .steps import REVIEW_TRANSITIONS, make_move, target_of


def record_imported(*, actor, request: Request, status: str, created: bool) -> bool:
    """An imported pending request, new (`created`) or updated from the file: moved to the
    status the file says through the state machine, with an `imported` event, and denied at
    once if its data scope is RESTRICTED (SPEC §4 rule 2), with the event and the notice a
    filing gets. A move the state machine does not allow is refused (409), and the import
    then changes nothing. Returns whether the status changed."""
    before = request.status
    if status != before:
        move = next((name for name in REVIEW_TRANSITIONS + ("resubmit",)
                     if target_of(name) == status and can_proceed(getattr(request, name))), None)
        if move is None:
            allowed = ", ".join(sorted({target_of(n) for n in REVIEW_TRANSITIONS + ("resubmit",)
                                        if can_proceed(getattr(request, n))})) or "none"
            raise Conflict(
                f"Request #{request.pk} ({request.server.name} {request.version}) is {before} "
                f"and cannot move to {status}.",
                {"status": [f"from {before} a request can move to: {allowed}"]})
        make_move(request, move)
        request.save()
    if created or status != before:
        RequestEvent.objects.create(request=request, actor=actor, verb="imported",
                                    from_status="" if created else before,
                                    to_status=request.status)
    if created:
        deny_if_restricted(request, None)
    return status != before


def record_imported_denial(*, actor, request: Request, reason: str, alternative: str,
                           decided_at) -> None:
    """A denial the registry file records (a decision taken before the portal): denied
    through the same function as any denial, without a notice (nobody is waiting for it)."""
    decide_denied(request, actor, reason=reason, alternative=alternative, verb="imported",
                   now=decided_at, notify=False)
