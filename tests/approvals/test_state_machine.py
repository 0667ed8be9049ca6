"""A request's state is written only by the workflow service (SPEC §4 rule 13): the field is
protected, every move is a transition of the state machine, and neither code around the
service nor the admin can set it."""

import pytest
from django.urls import reverse

from approvals import services as workflow
from approvals.models import Request, RequestStatus
from governance.errors import Conflict


def test_a_direct_write_of_the_status_is_refused(file):
    request = file()
    with pytest.raises(AttributeError, match="Direct status modification is not allowed"):
        request.status = RequestStatus.APPROVED
    loaded = Request.objects.get(pk=request.pk)
    with pytest.raises(AttributeError):
        loaded.status = RequestStatus.DENIED
    loaded.save()
    assert Request.objects.get(pk=request.pk).status == RequestStatus.UNDER_REVIEW


def test_a_reload_shows_the_state_the_workflow_wrote(file, security):
    request = file()
    workflow.transition(actor=security, request=request, status=RequestStatus.NEEDS_INFO)
    request.refresh_from_db()
    assert request.status == RequestStatus.NEEDS_INFO
    with pytest.raises(AttributeError):  # a reload does not open the field up again
        request.status = RequestStatus.UNDER_REVIEW


def test_the_admin_cannot_change_a_request_or_its_status(client, admin_user, file):
    request = file()
    client.force_login(admin_user)
    url = reverse("admin:approvals_request_change", args=[request.pk])
    response = client.post(url, {"status": RequestStatus.APPROVED})
    assert response.status_code == 403
    assert Request.objects.get(pk=request.pk).status == RequestStatus.UNDER_REVIEW


def test_every_review_move_is_one_of_the_state_machine(file, security):
    """The security team's moves are read off the state machine (the pages offer them)."""
    assert {
        RequestStatus.UNDER_REVIEW: {RequestStatus.SANDBOX_TRIAL, RequestStatus.AWAITING_SECURITY,
                                     RequestStatus.NEEDS_INFO},
        RequestStatus.SANDBOX_TRIAL: {RequestStatus.AWAITING_SECURITY, RequestStatus.UNDER_REVIEW,
                                      RequestStatus.NEEDS_INFO},
        RequestStatus.AWAITING_SECURITY: {RequestStatus.SANDBOX_TRIAL, RequestStatus.UNDER_REVIEW,
                                          RequestStatus.NEEDS_INFO},
        RequestStatus.NEEDS_INFO: set(),
    } == workflow.REVIEW_MOVES
    request = file()
    workflow.transition(actor=security, request=request, status=RequestStatus.NEEDS_INFO)
    with pytest.raises(Conflict) as refused:
        workflow.transition(actor=security, request=request, status=RequestStatus.SANDBOX_TRIAL)
    assert "from needs_info the moves are: none" in refused.value.errors["status"][0]


def test_a_decided_request_makes_no_more_moves(file, developer):
    request = file()
    workflow.withdraw(actor=developer, request=request)
    request.refresh_from_db()
    assert not any(t.name for t in request.get_available_status_transitions())
