"""Comments on a request, and who may see one."""

from __future__ import annotations

from django.db import transaction

from accounts.roles import can_see_queue
from audit.actors import acting_as
from governance.errors import InvalidInput, NotAllowed

from ..models import Comment, Request
from .steps import lock_request, queue_notice, record_event


def can_view(user, request: Request) -> bool:
    return user == request.requester or can_see_queue(user)


@transaction.atomic
def add_comment(*, actor, request, body: str) -> Comment:
    request = lock_request(request)
    if not can_view(actor, request):
        raise NotAllowed("Only the requester and reviewers can comment on a request.")
    if not body or not body.strip():
        raise InvalidInput("A comment needs text.", {"body": ["write something"]})
    with acting_as(actor):
        comment = Comment.objects.create(request=request, author=actor, body=body.strip())
        record_event(request, actor, "commented")
        queue_notice(request, "commented")
    return comment
