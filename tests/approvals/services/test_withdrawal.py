"""Withdrawing a request (approvals/services/withdrawal.py)."""

import pytest

from approvals import services as workflow
from governance.errors import Conflict, NotAllowed

pytestmark = pytest.mark.django_db


def test_only_the_requester_withdraws_and_only_before_a_decision(file, developer,
                                                                  other_developer):
    request = file()
    with pytest.raises(NotAllowed):
        workflow.withdraw(actor=other_developer, request=request)
    request = workflow.withdraw(actor=developer, request=request)
    assert request.status == "withdrawn"
    with pytest.raises(Conflict):
        workflow.withdraw(actor=developer, request=request)
