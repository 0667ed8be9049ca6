"""The campaigns' changes of state, each in one transaction and audited: `starting` (the
security team's campaign and the schedule's), `answering` (an owner's keep, keep with
changes or retire) and `overdue` (the job's revocations and flags at the due date). Callers
use the names below: `from campaigns import services`."""

from .answering import answer_item
from .overdue import close_overdue_items
from .starting import start_campaign, start_scheduled_campaign

__all__ = ["answer_item", "close_overdue_items", "start_campaign", "start_scheduled_campaign"]
