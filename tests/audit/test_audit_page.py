"""The audit trail page: for the security team; one object's history, by actor and date."""

import datetime as dt

import pytest
from django.utils import timezone

from approvals import services as workflow
from tests.factories import stdio_config

pytestmark = pytest.mark.django_db


def test_audit_shows_history_of_one_object_filtered_by_actor(client_for, security, file,
                                                             tech_lead, developer):
    request = file()
    workflow.assign(actor=security, request=request)
    client = client_for(security)
    response = client.get("/audit/", {"type": "approvals.request", "id": request.pk})
    entries = list(response.context["page"])
    assert entries and all(e.object_pk == str(request.pk) for e in entries)
    assert {e.actor.username for e in entries} >= {"dev", "sec"}
    only_sec = client.get("/audit/", {"type": "approvals.request", "id": request.pk,
                                      "actor": "sec"}).context["page"]
    assert {e.actor.username for e in only_sec} == {"sec"}


def test_audit_filters_by_date(client_for, admin_user, file):
    file()
    client = client_for(admin_user)
    today = timezone.localdate()
    assert len(client.get("/audit/", {"since": today.isoformat()}).context["page"]) > 0
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert len(client.get("/audit/", {"since": tomorrow}).context["page"]) == 0
    response = client.get("/audit/", {"since": "yesterday"})
    assert "use a date such as" in response.content.decode()


def test_audit_query_count_does_not_grow(client_for, security, file,
                                         django_assert_max_num_queries):
    client = client_for(security)
    request = file()
    # (and the count of what waits on the reader's sign-off, on every page: one query, and
    # the revision and the policy's four while the process has not read it; who signs for
    # someone today: one, cached; the hash chain's last check and head: two)
    with django_assert_max_num_queries(20) as few:
        client.get("/audit/")
    for i in range(10):
        workflow.add_comment(actor=security, request=request, body=f"c{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/audit/").status_code == 200


def test_tech_lead_cannot_read_the_audit(client_for, tech_lead):
    assert client_for(tech_lead).get("/audit/").status_code == 403


def test_people_appear_by_name_and_a_create_lists_only_what_it_set(client_for, security, file):
    security.first_name, security.last_name = "Sam", "Secure"
    security.save()
    request = file()
    workflow.assign(actor=security, request=request)
    html = client_for(security).get("/audit/", {"type": "approvals.request",
                                                "id": request.pk}).content.decode()
    assert "reviewer</strong>: <span class=\"muted\">—</span> → Sam Secure (sec)" in html
    assert f"→ {security.pk}<" not in html
    assert "fields set" not in html
    assert "<strong>server_name" not in html  # no such field; a create shows what it set
    assert "<strong>use_case</strong>: Read-only documentation lookup." in html
    assert "<strong>notes</strong>" not in html  # left empty at filing: not worth a line
    assert '<option value="sec">Sam Secure (sec)</option>' in html.replace("  ", " ")


def test_a_request_trail_merges_its_sign_offs_comments_and_events(client_for, security, file,
                                                                  tech_lead):
    request = file()
    other = file(server_name="other-server", source="https://github.com/x/other",
                 package="@x/other", config=stdio_config("@x/other", "1.2.3"))
    workflow.add_comment(actor=security, request=request, body="Which scopes?")
    workflow.add_comment(actor=security, request=other, body="Not this one.")
    workflow.assign(actor=security, request=request)
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve")
    response = client_for(security).get("/audit/", {"request": request.pk})
    kinds = {e.content_type.model for e in response.context["page"]}
    assert kinds == {"request", "signoff", "comment", "requestevent"}
    html = response.content.decode()
    assert "Which scopes?" in html and "Not this one." not in html
    assert f"Audit trail of request #{request.pk}" in html
    # the request page links to this merged trail
    page = client_for(security).get(f"/requests/{request.pk}/").content.decode()
    assert f'href="/audit/?request={request.pk}"' in page
    assert client_for(security).get("/api/v1/audit/", {"request": request.pk}).json()[
        "count"] == len(response.context["page"])


def test_the_trail_shows_a_whole_config_never_cut(client_for, security, file):
    long_arg = "--allowed-paths=" + ",".join(f"/srv/docs/{i}" for i in range(12))
    request = file(config={"command": "npx", "args": ["-y", "@context7/mcp-server@1.2.3",
                                                      long_arg],
                           "env": {"API_TOKEN": "${CONTEXT7_TOKEN}", "REGION": "eu-west-1"}})
    html = client_for(security).get("/audit/", {"type": "approvals.request",
                                                "id": request.pk}).content.decode()
    assert long_arg in html and "${CONTEXT7_TOKEN}" in html
    assert "eu-west-1" not in html  # a value that is not a placeholder stays masked


def test_a_create_leaves_out_reverse_relations_and_unset_flags(client_for, security, file):
    request = file()
    html = client_for(security).get("/audit/", {"type": "approvals.request",
                                                "id": request.pk}).content.decode()
    assert ".None" not in html and "passed_sandbox_trial" not in html
    assert "<strong>config</strong>" in html


@pytest.mark.parametrize("bad", ["x", "1.5", "99999999999999999999999", "0"])
def test_a_bad_request_number_is_named_on_the_page_and_in_the_api(client_for, api, security,
                                                                  bad):
    page = client_for(security).get("/audit/", {"request": bad})
    assert page.status_code == 400
    assert "<li>request: Ensure this value" in page.content.decode() or (
        "<li>request: Enter a whole number." in page.content.decode())
    answer = api(security).get("/api/v1/audit/", {"request": bad})
    assert answer.status_code == 400 and "request" in answer.json()["errors"]
