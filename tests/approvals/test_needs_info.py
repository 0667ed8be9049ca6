"""needs_info keeps the question (issue 11, point 3): the reviewer's question is shown where
the requester answers and is in the notice; a resubmit that changes nothing and says
nothing is refused with a message that says so."""

import pytest
from django.core import mail

from approvals.models import Comment, Request
from tests.approvals.test_request_pages import post

pytestmark = pytest.mark.django_db

QUESTION = "Which OAuth scopes does it ask for?"


def edit_data(request, **overrides):
    """The edit form as the requester's page fills it in, unchanged."""
    return {"version": request.version, "source": request.source,
            "proposed_data_scope": request.proposed_data_scope, "use_case": request.use_case,
            "what_changed": "", "notes": "", "command": "npx",
            "args": "-y\n@context7/mcp-server@1.2.3", "env": "", "config_json": "",
            "answer": "", **overrides}


@pytest.fixture
def sent_back(file, security, client_for, django_capture_on_commit_callbacks):
    request = file()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_for(security), request, "transition", status="needs_info",
                        notes=QUESTION)
    assert response.status_code == 302
    return request


def test_the_question_is_shown_where_the_requester_answers(sent_back, developer, security,
                                                           client_for):
    page = client_for(developer).get(sent_back.get_absolute_url()).content.decode()
    edit = page[page.index('id="edit"'):page.index('id="details-h"')]
    assert "sec asked" in edit and QUESTION in edit
    # The reviewers see it too, in the banner.
    page = client_for(security).get(sent_back.get_absolute_url()).content.decode()
    decision = page[page.index('id="decision"'):page.index('id="details-h"')]
    assert QUESTION in decision


def test_the_notice_carries_the_question(sent_back, developer):
    (notice,) = [m for m in mail.outbox if "needs more information" in m.subject]
    assert notice.to == [developer.email]
    assert f"Question from the reviewer: {QUESTION}" in notice.body


def test_a_resubmit_that_changes_nothing_and_says_nothing_is_refused(sent_back, developer,
                                                                     client_for):
    client = client_for(developer)
    response = post(client, sent_back, "resubmit", **edit_data(sent_back))
    assert response.status_code == 400
    html = response.content.decode()
    assert "answer the reviewer&#x27;s question, or change what it asks about" in html
    assert Request.objects.get(pk=sent_back.pk).status == "needs_info"


def test_an_answer_alone_resubmits_and_is_kept_as_a_comment(sent_back, developer, client_for):
    response = post(client_for(developer), sent_back, "resubmit",
                    **edit_data(sent_back, answer="Only read:docs."))
    assert response.status_code == 302
    assert Request.objects.get(pk=sent_back.pk).status == "under_review"
    assert Comment.objects.get(request=sent_back).body == "Only read:docs."


def test_a_comment_written_since_counts_as_an_answer(sent_back, developer, client_for):
    client = client_for(developer)
    post(client, sent_back, "comment", body="Only read:docs.")
    response = post(client, sent_back, "resubmit", **edit_data(sent_back))
    assert response.status_code == 302


def test_the_api_refuses_an_empty_resubmit_naming_the_answer(sent_back, developer, api):
    response = api(developer).post(f"/api/v1/requests/{sent_back.pk}/transition/",
                                   {"status": "under_review"}, format="json")
    assert response.status_code == 400
    assert "answer the reviewer's question" in response.json()["errors"]["answer"][0]
    response = api(developer).post(f"/api/v1/requests/{sent_back.pk}/transition/",
                                   {"status": "under_review", "notes": "Only read:docs."},
                                   format="json")
    assert response.status_code == 200 and response.json()["status"] == "under_review"
