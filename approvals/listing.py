"""What the request lists show of each row, worked out once in Python for the whole page:
the required sign-offs (`with_steps`, my requests and the review queue) and, for the review
queue, every value its row prints (`queue_rows`). The queue is the reviewers' page under
load (25 rows of thousands of open requests): a template looks up each dotted name
through several fallbacks and escapes each value, so the rows get plain values and the
sign-off badges one escaped fragment each (format_html), the same markup as before."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from governance.policy import routing
from governance.templatetags import lists

from . import selectors
from . import services as workflow
from .models import OPEN_STATUSES, RequestKind, RequestStatus

KIND_LABELS = dict(RequestKind.choices)
STATUS_LABELS = dict(RequestStatus.choices)
NO_SIGNER = ("No active {} who is not the requester and has not signed already: ask an "
             "administrator to map the group or assign the role.")


def with_steps(page, policy: routing.PolicyData, holders: dict[str, set[int]] | None = None):
    """Give each listed request its required sign-offs: (role, the approving sign-off or a
    deny, if any), and the roles that no one left can sign. The sign-offs, the policy and
    the role holders are read once for the whole page, each route worked out once per kind
    of request."""
    holders = selectors.role_holders() if holders is None else holders
    signoffs = selectors.signoffs_by_request([req.pk for req in page.object_list])
    routes: dict[tuple, tuple[str, ...]] = {}
    for req in page.object_list:
        given = {}
        for signoff in signoffs[req.pk]:
            given.setdefault(signoff.role, signoff)
        key = (req.kind, req.bump_level, req.risk, req.effective_data_scope)
        if key not in routes:
            routes[key] = workflow.route_of(req, policy).required_roles
        req.steps = [(role, given.get(role)) for role in routes[key]]
        # A role that nobody left can sign (each person signs once, never the requester):
        # flagged, e.g. after its last holder left or lost the group at the provider.
        signers = {s.user_id for s in signoffs[req.pk]} | {req.requester_id}
        req.unsignable = [role for role, signoff in req.steps
                          if signoff is None and req.is_open and not holders[role] - signers]
    return page


def _badge(role: str, signoff, is_open: bool) -> tuple:
    if signoff is not None:
        who = signoff.username
        mark = "✓" if signoff.decision == "approve" else "✗"
        return (signoff.decision, f"{signoff.decision} by {who}", mark, f"{role}: {who}")
    if is_open:
        return ("", f"waiting for {role}", "…", role)
    return ("", "not given: the request was decided", "–", role)


def signoff_badges(req) -> SafeString:
    """The cell of required sign-offs: a badge per role (given, waiting or not given), and
    a warning for each role that no one left can sign."""
    is_open = req.status in OPEN_STATUSES
    badges = format_html_join("", '<span class="badge {}" title="{}">{} {}</span> ',
                              (_badge(role, s, is_open) for role, s in req.steps))
    warnings = format_html_join(
        "", '<div><span class="badge overdue" title="{}">no one can sign as {}</span></div>',
        ((NO_SIGNER.format(role), role) for role in req.unsignable))
    return badges + warnings


def queue_rows(page, now=None) -> list[dict]:
    """What the review queue prints of each request of `page` (after `with_steps`)."""
    now = now or timezone.now()
    rows = []
    for req in page.object_list:
        overdue = req.status in OPEN_STATUSES and req.expected_decision < now
        rows.append({
            "pk": req.pk, "url": reverse("request-detail", args=[req.pk]),
            "overdue": overdue, "due": lists.due(req, now=now),
            "server": req.server.name, "version": req.version,
            "kind": KIND_LABELS.get(req.kind, req.kind), "bump_level": req.bump_level,
            "status": req.status, "status_label": STATUS_LABELS.get(req.status, req.status),
            "risk": req.risk, "scope": req.effective_data_scope,
            "requester": req.requester.get_username(),
            "reviewer": req.reviewer.get_username() if req.reviewer_id else "",
            "badges": signoff_badges(req),
        })
    return rows
