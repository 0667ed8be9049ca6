"""One submit shows every problem of the request form: the form's own and the workflow's
rules together, never the name first and the rest at the next submit (issue 11)."""

import re

import pytest
from auditlog.models import LogEntry
from django.core import mail

from approvals import services as workflow
from approvals.models import Request
from notifications.models import Notification
from tests.approvals.test_filing import errors_of, form_data

pytestmark = pytest.mark.django_db

EMPTY = {name: "" for name in form_data()} | {"kind": "new_server"}


def test_an_empty_form_names_every_missing_field_at_the_first_submit(client_for, developer):
    response = client_for(developer).post("/requests/new/", EMPTY)
    assert response.status_code == 400
    form = response.context["form"]
    for field in ("server_name", "version", "source", "use_case", "command"):
        assert form.errors.get(field), (field, dict(form.errors))
    assert not Request.objects.exists()


def test_a_form_error_and_a_rule_break_are_shown_together(client_for, developer):
    response = client_for(developer).post("/requests/new/", form_data(
        server_name="Context 7!", version="latest", use_case=""))
    assert response.status_code == 400
    assert errors_of(response, "server_name") and errors_of(response, "version")
    assert errors_of(response, "use_case") == ["say what the server is for (the use case)"]
    assert not Request.objects.exists()


def test_checking_a_filing_saves_nothing_and_tells_no_one(developer, security,
                                                          django_capture_on_commit_callbacks):
    kwargs = {key: value for key, value in form_data().items()
              if key not in ("command", "args", "env", "config_json")}
    kwargs["config"] = {"command": "npx", "args": ["-y", "@context7/mcp-server@1.2.3"]}
    entries = LogEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert workflow.filing_problems(actor=developer, **kwargs) == {}
    assert callbacks == []
    assert not Request.objects.exists() and not Notification.objects.exists()
    assert LogEntry.objects.count() == entries and mail.outbox == []
    assert workflow.filing_problems(actor=developer, **{**kwargs, "use_case": ""}) == {
        "use_case": ["say what the server is for (the use case)"]}


def test_looking_up_an_approved_server_turns_the_request_into_a_bump(client_for, developer,
                                                                     active_approval):
    response = client_for(developer).post("/requests/new/", form_data(
        lookup="1", kind="new_server", version=""))
    assert response.status_code == 200
    assert response.context["form"]["kind"].value() == "version_bump"
    html = response.content.decode()
    assert re.search(r'<input[^>]*value="version_bump"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="new_server"[^>]*checked', html)
