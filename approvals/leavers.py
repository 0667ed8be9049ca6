"""A leaver's work (SPEC §10): when the identity provider deactivates someone, the reviews
assigned to them go back to the queue, and what they own (active approvals they signed,
active approvals they own, their open requests) is listed for the security team to hand
over. Called by the receiver of accounts.signals.user_deactivated
(notifications.leaver_notices), inside the deactivation's transaction."""

from __future__ import annotations

import dataclasses

from django.db import transaction
from django.db.models import Q

from registry.models import Approval

from .models import Request, RequestEvent


@dataclasses.dataclass
class Handover:
    reviews: list[Request]  # back in the queue, unassigned
    requests: list[Request]  # their own open requests
    approvals: list[Approval]  # active approvals they signed
    owned: list[Approval] = dataclasses.field(default_factory=list)  # active, theirs

    def __bool__(self):
        return bool(self.reviews or self.requests or self.approvals or self.owned)


@transaction.atomic
def hand_over(*, user, reason: str) -> Handover:
    """Unassign `user` from every open request they review (each back in the queue, with a
    timeline entry) and list what they own for the security team."""
    reviews = list(Request.objects.open().select_for_update().filter(reviewer=user)
                   .select_related("server"))
    for req in reviews:
        req.reviewer = None
        req.save(update_fields=["reviewer", "updated_at"])
        RequestEvent.objects.create(
            request=req, actor=None, verb="reviewer_left",
            detail=f"{user.get_full_name() or user.get_username()} left ({reason}): the "
                   "review is back in the queue.")
    requests = list(Request.objects.open().filter(requester=user).select_related("server"))
    active = Approval.objects.filter(status=Approval.Status.ACTIVE).select_related("server")
    approvals = list(active.filter(approvers=user).distinct())
    # The owner is told about upstream releases; with none named, the requester owns it.
    owned = list(active.filter(Q(owner=user) | Q(owner__isnull=True, request__requester=user)))
    return Handover(reviews=reviews, requests=requests, approvals=approvals, owned=owned)
