"""What the request lists show of each row, worked out once in Python for the whole page:
the required sign-offs (`with_steps`, my requests and the review queue) and, for the review
queue, its rows' HTML (`queue_rows`). The queue is the reviewers' page under
load (25 rows of thousands of open requests): a template looks up each dotted name
through several fallbacks and escapes each value, so the rows get plain values and the
sign-off badges one escaped fragment each (format_html), the same markup as before."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from governance.html import format_html, format_html_join
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
    if not req.unsignable:
        return badges
    warnings = format_html_join(
        "", '<div><span class="badge overdue" title="{}">no one can sign as {}</span></div>',
        ((NO_SIGNER.format(role), role) for role in req.unsignable))
    return badges + warnings


# A row of the review queue. Written here rather than in the template: the page shows 25
# rows of thousands under load, and the template language's lookup, conditions and escape
# of each of a row's dozen values cost a third of the page; format_html escapes each value
# the same way. The cells in the order of the headings of approvals/queue.html.
_ROW = ('<tr class="{}">{}<td class="nowrap">{}</td>'
        '<td><a href="{}"><strong>#{} {}</strong> {}</a></td><td>{}{}</td>'
        '<td><span class="badge {}">{}</span></td><td>{} <span class="badge {}">{}</span></td>'
        '<td>{}</td><td>{}</td><td>{}</td></tr>')
_PICK = ('<td class="pick"><input type="checkbox" name="ids" value="{}" form="bulk" '
         'aria-label="Select request #{} {}"></td>')
_CLAIM = ('<form method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" '
          'value="{}"><input type="hidden" name="action" value="claim"><button type="submit" '
          'class="small secondary" aria-label="Claim request #{}">Claim</button></form>')
_LINK_MARK = 918273645  # a number that appears nowhere else in a request's path
_UNCLAIMED = mark_safe('<span class="muted">unclaimed</span>')
_NO_RISK = mark_safe('<span class="muted small">risk not set</span>')


def queue_rows(page, *, csrf_token: str | None, now=None) -> list[SafeString]:
    """The review queue's rows of `page` (selectors.QueueItem, after `with_steps`), as
    HTML; with `csrf_token` (the reader claims and assigns: the security team) a box to
    tick and a claim button."""
    now = now or timezone.now()
    # Every row's link is the same path but for the number: reversed once.
    link = reverse("request-detail", args=[_LINK_MARK])
    rows = []
    for req in page.object_list:
        number, server = str(req.pk), req.server_name
        url = link.replace(str(_LINK_MARK), number)
        reviewer = req.reviewer_name or ""
        scope = req.effective_data_scope
        if reviewer:
            reviewer_cell = reviewer
        elif csrf_token is not None:
            reviewer_cell = format_html(_CLAIM, url, csrf_token, number)
        else:
            reviewer_cell = _UNCLAIMED
        rows.append(format_html(
            _ROW,
            "overdue" if req.status in OPEN_STATUSES and req.expected_decision < now else "",
            format_html(_PICK, number, number, server) if csrf_token is not None else "",
            lists.due(req, now=now), url, number, server, req.version,
            KIND_LABELS.get(req.kind, req.kind),
            format_html(' <span class="badge">{}</span>', req.bump_level)
            if req.bump_level else "",
            req.status, STATUS_LABELS.get(req.status, req.status),
            format_html('<span class="badge {}">{}</span>', req.risk, req.risk)
            if req.risk else _NO_RISK,
            scope, scope or "?", req.requester_name, reviewer_cell,
            signoff_badges(req)))
    return rows
