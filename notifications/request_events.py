"""What happens to a request, told to the people it concerns: the workflow queues
`approvals.notify_request_event` by name after each change (notifications.tasks), and the
reconciling run records the notices of events whose task never reached the broker."""

from __future__ import annotations

import datetime as dt

from approvals.models import Request, RequestEvent

from .delivery import deliver_pending
from .models import Notification
from .records import Notice, record, request_path, security_team_ids
from .turn_notices import record_turns

# Queued when only whose turn it is may have changed (an assessment that adds a role).
TURN = "turn"

SUBJECTS = {
    "filed": "New request #{pk}: {server} {version}",
    "assigned": "Request #{pk} ({server}) has a reviewer",
    "needs_info": "Request #{pk} ({server}) needs more information from you",
    "sandbox_trial": "Request #{pk} ({server}) moved to sandbox trial",
    "awaiting_security": "Request #{pk} ({server}) awaits security",
    "under_review": "Request #{pk} ({server}) is under review",
    "resubmitted": "Request #{pk} ({server}) was resubmitted",
    "signed_off": "Request #{pk} ({server}) has a new sign-off",
    "commented": "New comment on request #{pk} ({server})",
    "approved": "Approved: {server} {version} (request #{pk})",
    "denied": "Denied: {server} {version} (request #{pk})",
    "reclassified": "Request #{pk} ({server} {version}) was re-classified: the approved "
                    "version changed",
    "withdrawn_by_system": "Request #{pk} ({server} {version}) was withdrawn: the approved "
                           "version changed",
}
# Verbs whose notice carries the event's own words: the reviewer's question, or why the
# system re-classified or withdrew the request.
DETAIL_LABELS = {"needs_info": "Question from the reviewer", "reclassified": "What changed",
                 "withdrawn_by_system": "Why"}
# The verbs the chat hears about too; the rest is for the people on the request.
CHAT_VERBS = frozenset({"filed", "approved", "denied"})


# RequestEvent.verb -> the verb of SUBJECTS it is told as.
EVENT_VERBS = {
    "filed": "filed", "claimed": "assigned", "assigned": "assigned",
    "resubmitted": "resubmitted", "signed_off_approve": "signed_off",
    "commented": "commented", "approved": "approved", "denied": "denied",
    "auto_denied": "denied", "reclassified": "reclassified",
    "withdrawn_by_system": "withdrawn_by_system",
}


def _verb_of(event: RequestEvent) -> str | None:
    if event.verb == "status_changed":
        return event.to_status if event.to_status in SUBJECTS else None
    return EVENT_VERBS.get(event.verb)


def recipient_ids(request: Request, verb: str, security: set[int] | None = None) -> set[int]:
    people = {request.requester_id}
    if request.reviewer_id:
        people.add(request.reviewer_id)
    if verb in ("filed", "resubmitted") and not request.reviewer_id:
        people |= security_team_ids() if security is None else security
    return people


def event_notice(request: Request, event: RequestEvent, verb: str,
                 security: set[int] | None = None) -> Notice:
    subject = SUBJECTS[verb].format(pk=request.pk, server=request.server.name,
                                    version=request.version).strip()
    lines = [f"Status: {request.get_status_display()}"]
    if event.actor_id and event.actor:
        lines.append(f"By: {event.actor.get_full_name() or event.actor.get_username()}")
    if verb in DETAIL_LABELS and event.detail.strip():
        lines += ["", f"{DETAIL_LABELS[verb]}: {event.detail.strip()}"]
    if verb == "denied" and request.denial_reason:
        lines += ["", f"Reason: {request.denial_reason.strip()}"]
        if request.denial_alternative:
            lines.append(f"Alternative: {request.denial_alternative.strip()}")
    if verb == "approved":
        approval = getattr(request, "resulting_approval", None)
        if approval is not None:
            lines.append(f"Valid until: {approval.expires:%Y-%m-%d}")
    return Notice(
        key=f"event:{event.pk}", kind=Notification.Kind.REQUEST_EVENT, subject=subject,
        body="\n".join(lines), link=request_path(request.pk),
        recipients=recipient_ids(request, verb, security), request_id=request.pk,
        to_chat=verb in CHAT_VERBS,
    )


def request_event(request_id: int, verb: str) -> int:
    """Notify what just happened to a request (queued by the workflow after commit): the
    latest timeline event of that kind becomes a notice, once; returns the mails sent."""
    request = Request.objects.select_related("server", "requester", "reviewer").filter(
        pk=request_id).first()
    if request is None or verb not in (*SUBJECTS, TURN):
        return 0
    # Whoever's sign-off the request now waits on is told too (once per round).
    turns = record_turns(request)
    keys = list(turns)
    events = RequestEvent.objects.filter(request=request).select_related("actor").order_by("-id")
    event = next((e for e in events[:20] if _verb_of(e) == verb), None)
    if event is not None:
        notice = event_notice(request, event, verb)
        # The security team told just now that the filing waits on their sign-off gets that
        # one mail, not a "New request" beside it.
        notice.recipients -= set().union(*turns.values()) - {request.requester_id,
                                                             request.reviewer_id}
        record([notice])
        keys.append(f"event:{event.pk}")
    return deliver_pending(keys=keys) if keys else 0


def record_missed_request_events(*, since: dt.datetime) -> int:
    """Reconcile: timeline events since `since` that have no notice yet (their task was
    never queued because the broker was down) get one now. Returns how many."""
    events = (RequestEvent.objects.filter(created_at__gte=since)
              .exclude(verb__in=("imported", "edited", "withdrawn")).order_by("id"))
    rows = list(events.values_list("pk", "request_id", "verb"))
    # As the workflow does: the last sign-off of an approval is told as the approval, and a
    # filing denied at once (RESTRICTED data) only as the denial.
    told_as_next = {"signed_off_approve": "approved", "filed": "auto_denied"}
    next_verb, last = {}, {}
    for pk, request_id, verb in rows:
        if request_id in last:
            next_verb[last[request_id]] = verb
        last[request_id] = pk
    known = set()
    keys = [f"event:{pk}" for pk, _, _ in rows]
    for start in range(0, len(keys), 900):
        known.update(Notification.objects.filter(key__in=keys[start:start + 900])
                     .values_list("key", flat=True))
    missing = [pk for pk, _, verb in rows if f"event:{pk}" not in known
               and not (verb in told_as_next and next_verb.get(pk) == told_as_next[verb])]
    security = None
    notices = []
    for event in events.filter(pk__in=missing).select_related("request__server", "actor"):
        verb = _verb_of(event)
        if verb is None:
            continue
        if security is None:
            security = security_team_ids()
        notices.append(event_notice(event.request, event, verb, security))
    told = len(record(notices))
    untold = set(missing)
    for request in Request.objects.filter(
            pk__in={request_id for pk, request_id, _ in rows if pk in untold}
    ).select_related("server", "requester"):
        told += len(record_turns(request))
    return told
