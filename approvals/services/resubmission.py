"""The requester's answer to needs_info: edits, validated like a new filing, and the
resubmission that sends the request back to review."""

from __future__ import annotations

from django.db import transaction

from audit.actors import acting_as
from governance.errors import Conflict, Errors, InvalidInput, NotAllowed
from governance.policy import names, routing

from ..models import Comment, Request, RequestEvent, RequestKind, RequestStatus
from .filing import check_identity, validate_fields
from .signoff import deny_if_restricted
from .steps import (
    classify_bump,
    ensure_open,
    lock_request,
    make_move,
    mark_registry_changed,
    queue_notice,
    record_event,
    request_link,
    set_signoffs_aside,
    start_inspection,
)

EDITABLE_FIELDS = ("version", "config", "use_case", "proposed_data_scope", "notes",
                   "what_changed", "source", "package", "package_registry")
# Edits that change what would be approved: sign-offs given before them no longer count.
MATERIAL_FIELDS = frozenset({"version", "config", "proposed_data_scope", "source", "package",
                             "package_registry"})


def _apply_edits(actor, request, changes: dict) -> list[str]:
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput("These fields cannot be edited.",
                           {key: ["not editable by the requester"] for key in unknown})
    if not changes:
        return []
    merged = {field: getattr(request, field) for field in EDITABLE_FIELDS}
    merged.update(changes)
    errors = Errors()
    validate_fields(errors, version=merged["version"], config=merged["config"],
                     proposed_data_scope=merged["proposed_data_scope"],
                     package=merged["package"] or request.server.package,
                     package_registry=merged["package_registry"]
                     or request.server.package_registry,
                     pin=request.kind != RequestKind.NEW_SERVER or bool(merged["version"])
                     or "version" in changes)
    if "source" in changes and request.kind == RequestKind.NEW_SERVER:
        errors.add("source", names.source_problem(merged["source"]))
    base = request.base_approval
    check_identity(errors, kind=request.kind, server=request.server, base=base,
                    package=changes.get("package", ""),
                    package_registry=changes.get("package_registry", ""),
                    config=merged["config"])
    if base and "version" in changes and not errors.by_field.get("version"):
        if request.kind == RequestKind.RENEWAL and merged["version"] != base.version:
            errors.add("version", f"a renewal re-certifies version {base.version}")
        if request.kind == RequestKind.VERSION_BUMP and merged["version"] == base.version:
            errors.add("version", f"{base.version} is the approved version already")
    errors.raise_if_any("The changes break the rules below; nothing was saved.")
    other = None
    if "version" in changes and merged["version"] != request.version:
        other = (Request.objects.open().filter(server=request.server, version=merged["version"])
                 .exclude(pk=request.pk).first())
    if other:
        raise Conflict("Another open request has that version.",
                       {"version": ["an open request for this server and version exists"]},
                       link=request_link(other), conflict={"request_id": other.pk})
    changed = [f for f in EDITABLE_FIELDS if f in changes and getattr(request, f) != changes[f]]
    for field in changed:
        setattr(request, field, changes[field])
    if {"version", "config"} & set(changed):
        start_inspection(request)
    if base and {"version", "config"} & set(changed) and (
            request.kind == RequestKind.VERSION_BUMP):
        request.bump_level, request.bump_reason = classify_bump(request, base)
    if "proposed_data_scope" in changed:
        request.data_scope = routing.stricter_scope(
            request.proposed_data_scope, base.data_scope if base else "", request.data_scope)
    if MATERIAL_FIELDS & set(changed):
        set_signoffs_aside(actor, request)
    return changed


@transaction.atomic
def edit_request(*, actor, request, **changes) -> Request:
    """The requester edits a request that was sent back (needs_info)."""
    request = lock_request(request)
    ensure_open(request, "be edited")
    if actor != request.requester:
        raise NotAllowed("Only the requester can edit a request.")
    if request.status != RequestStatus.NEEDS_INFO:
        raise Conflict("A request can be edited only while it needs info.",
                       {"status": [f"the request is {request.status}"]})
    with acting_as(actor):
        changed = _apply_edits(actor, request, changes)
        if changed:
            request.save()
            record_event(request, actor, "edited", detail=", ".join(changed))
            if not deny_if_restricted(request, None):
                mark_registry_changed(request, "edited")
    return request


def _answered_since_sent_back(request) -> bool:
    """Whether the requester edited the request or wrote a comment since it was sent back."""
    sent_back = (RequestEvent.objects.filter(request=request, to_status=RequestStatus.NEEDS_INFO)
                 .order_by("-id").first())
    if sent_back is None:
        return True  # imported in needs_info: no question on record to answer
    return (RequestEvent.objects.filter(request=request, verb="edited", pk__gt=sent_back.pk)
            .exists() or Comment.objects.filter(request=request, author=request.requester,
                                                created_at__gte=sent_back.created_at).exists())


def resubmit_locked(actor, request, changes, answer: str = ""):
    ensure_open(request, "be resubmitted")
    if actor != request.requester:
        raise NotAllowed("Only the requester can resubmit a request.")
    if request.status != RequestStatus.NEEDS_INFO:
        raise Conflict("Only a request that needs info can be resubmitted.",
                       {"status": [f"the request is {request.status}"]})
    answer = (answer or "").strip()
    with acting_as(actor):
        changed = _apply_edits(actor, request, changes)
        if not changed and not answer and not _answered_since_sent_back(request):
            raise InvalidInput(
                "Nothing changed and nothing was said: the reviewer is waiting for an answer.",
                {"answer": ["answer the reviewer's question, or change what it asks about, "
                            "before resubmitting"]})
        if answer:
            Comment.objects.create(request=request, author=actor, body=answer)
            record_event(request, actor, "commented")
        make_move(request, "resubmit")
        request.save()
        record_event(request, actor, "resubmitted", before=RequestStatus.NEEDS_INFO,
                     detail=", ".join(changed))
        if not deny_if_restricted(request, None):
            queue_notice(request, "resubmitted")
            mark_registry_changed(request, "resubmitted")
    return request


@transaction.atomic
def resubmit(*, actor, request, answer: str = "", **changes) -> Request:
    """The requester answers needs_info: edits (validated like a new filing) and/or an
    answer to the reviewer (kept as a comment), back to review. A resubmit that changes
    nothing and says nothing (no edit, no comment since it was sent back) is refused."""
    return resubmit_locked(actor, lock_request(request), changes, answer)
