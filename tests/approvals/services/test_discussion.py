"""Comments on a request (approvals/services/discussion.py)."""

import pytest

from approvals import services as workflow
from governance.errors import InvalidInput, NotAllowed

pytestmark = pytest.mark.django_db


def test_comments_from_the_requester_and_reviewers_only(file, developer, tech_lead,
                                                        other_developer):
    request = file()
    workflow.add_comment(actor=developer, request=request, body="Any news?")
    workflow.add_comment(actor=tech_lead, request=request, body="Looking today.")
    with pytest.raises(NotAllowed):
        workflow.add_comment(actor=other_developer, request=request, body="+1")
    with pytest.raises(InvalidInput):
        workflow.add_comment(actor=developer, request=request, body="   ")
    assert request.comments.count() == 2
