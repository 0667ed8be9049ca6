"""The workflow service: every change of a request's state goes through these functions,
whether it comes from a page, the API, the admin, the importer or a job. Each runs in one
transaction, locks the request row, checks the rules of SPEC §4, writes, records the event
and the actor, and queues follow-up work after commit.

One module per verb: `filing`, `review` (claim, assign, move, assess), `signoff` (sign-offs
and the decisions they make), `resubmission` (the requester's edits), `withdrawal`,
`discussion`, `rerouting` (open bumps follow the active approval), `importing` (the
importer's requests) and `overdue` (the job's marks); `steps`
holds what every change does. Callers use the names below: `from approvals import services`.
"""

from ..models import OPEN_STATUSES, SIGNABLE_STATUSES
from .delegation import delegate_signoffs, end_delegation
from .discussion import add_comment, can_view
from .filing import file_request, filing_problems
from .importing import record_imported, record_imported_denial
from .overdue import ESCALATE_AFTER, flag_overdue_requests
from .rerouting import reroute_on_change, reroute_open_requests
from .resubmission import EDITABLE_FIELDS, MATERIAL_FIELDS, edit_request, resubmit
from .review import BULK_MAX, BulkResult, assign, assign_many, set_assessment, transition
from .signoff import missing_roles, sign_off, signable_roles, signed_by, signoff_refusal
from .steps import REVIEW_MOVES, REVIEW_TRANSITIONS, earlier_denial, request_link, route_of
from .withdrawal import withdraw

__all__ = [
    "BULK_MAX", "EDITABLE_FIELDS", "ESCALATE_AFTER", "MATERIAL_FIELDS", "OPEN_STATUSES",
    "REVIEW_MOVES", "REVIEW_TRANSITIONS", "SIGNABLE_STATUSES", "BulkResult", "add_comment",
    "assign", "assign_many", "can_view", "delegate_signoffs", "end_delegation",
    "earlier_denial", "edit_request", "file_request", "filing_problems",
    "flag_overdue_requests", "missing_roles",
    "record_imported", "record_imported_denial", "request_link", "reroute_on_change",
    "reroute_open_requests", "resubmit", "route_of",
    "set_assessment", "sign_off", "signable_roles", "signed_by", "signoff_refusal",
    "transition", "withdraw",
]
