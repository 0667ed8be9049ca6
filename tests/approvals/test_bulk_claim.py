"""Bulk claim and assignment from the queue (issue 11 item 7): each ticked request goes
through services.assign, so its rules, timeline event, audit entry and notice are a single
claim's; a refused row is named with its reason and left as it was."""

import pytest
from auditlog.models import LogEntry
from django.contrib.messages import get_messages

from approvals import services as workflow
from approvals.models import Request, RequestEvent
from governance.errors import InvalidInput, NotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(file, approve):
    first = file()
    second = file(server_name="second-one", source="https://github.com/s/s", package="@s/s",
                  config={"command": "npx", "args": ["-y", "@s/s@1.2.3"]})
    decided = approve(file(server_name="third-one", source="https://github.com/t/t",
                           package="@t/t", config={"command": "npx", "args": ["-y", "@t/t@1.2.3"]}))
    return first, second, decided


def test_assign_many_claims_each_and_refuses_the_decided_one(security, three):
    first, second, decided = three
    before = {r.pk: r.updated_at for r in Request.objects.all()}
    audit_before = LogEntry.objects.count()
    result = workflow.assign_many(actor=security, requests=[first.pk, decided.pk, second.pk,
                                                            999_999])
    assert {r.pk for r in result.done} == {first.pk, second.pk}
    assert dict(result.refused) == {
        decided.pk: f"Request #{decided.pk} is approved: a decided request cannot be assigned.",
        999_999: "there is no request #999999"}
    assert set(Request.objects.filter(reviewer=security).values_list("pk", flat=True)) >= {
        first.pk, second.pk}
    decided.refresh_from_db()
    assert decided.updated_at == before[decided.pk]  # nothing changed for the refused row
    for request in (first, second):  # as a single claim: an event and an audit entry each
        assert RequestEvent.objects.filter(request=request, verb="claimed",
                                           actor=security).count() == 1
    assert LogEntry.objects.count() > audit_before


def test_assign_many_to_someone_else_and_again_leaves_them_alone(security, second_security,
                                                                   three):
    first, second, _ = three
    result = workflow.assign_many(actor=security, requests=[first.pk, second.pk],
                                  reviewer=second_security)
    assert len(result.done) == 2 and not result.refused
    assert RequestEvent.objects.filter(verb="assigned", detail="sec2").count() == 2
    again = workflow.assign_many(actor=security, requests=[first.pk],
                                 reviewer=second_security)
    assert not again.done and [r.pk for r in again.unchanged] == [first.pk]


def test_assign_many_is_the_security_teams(tech_lead, three):
    with pytest.raises(NotAllowed):
        workflow.assign_many(actor=tech_lead, requests=[three[0].pk])
    assert Request.objects.get(pk=three[0].pk).reviewer is None


@pytest.mark.parametrize(("numbers", "problem"), [
    ([], "tick at least one request"),
    (list(range(1, 102)), "at most 100 requests at a time"),
])
def test_assign_many_refuses_none_or_too_many(security, numbers, problem):
    with pytest.raises(InvalidInput) as refused:
        workflow.assign_many(actor=security, requests=numbers)
    assert problem in str(refused.value)


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_queue_claims_the_ticked_rows_and_names_the_refused(client_for, security, three):
    first, second, decided = three
    client = client_for(security)
    html = client.get("/queue/").content.decode()
    assert 'name="ids"' in html and 'form="bulk"' in html and "Claim selected" in html
    response = client.post("/queue/bulk/", {
        "ids": [first.pk, decided.pk], "do": "claim", "reviewer": "sec2",
        "back": "ordering=-server&kind=new_server"})
    assert response.status_code == 302
    assert response["Location"] == "/queue/?ordering=-server&kind=new_server"
    said = messages_of(response)
    assert f"Claimed: #{first.pk} context7." in said
    assert any(f"#{decided.pk}: Request #{decided.pk} is approved" in m for m in said)
    assert Request.objects.get(pk=first.pk).reviewer == security  # "claim": not sec2
    assert Request.objects.get(pk=second.pk).reviewer is None


def test_the_queue_assigns_the_ticked_rows(client_for, security, second_security, three):
    first, second, _ = three
    response = client_for(security).post("/queue/bulk/", {
        "ids": [first.pk, second.pk], "do": "assign", "reviewer": "sec2"})
    assert response["Location"] == "/queue/"
    assert "Assigned to sec2" in messages_of(response)[0]
    assert set(Request.objects.filter(reviewer=second_security).values_list(
        "pk", flat=True)) == {first.pk, second.pk}


@pytest.mark.parametrize(("data", "said"), [
    ({"do": "claim"},
     "Nothing was changed. Choose the requests first: tick at least one request in the list."),
    ({"ids": ["1x"], "do": "claim"}, "ids must be request numbers"),
    ({"ids": ["9" * 30], "do": "claim"}, "ids must be request numbers"),
    ({"ids": ["1"], "do": "assign", "reviewer": "dev"}, "'dev' is not an active member"),
])
def test_a_bad_bulk_action_changes_nothing_and_says_why(client_for, security, three, data,
                                                        said):
    response = client_for(security).post("/queue/bulk/", {**data, "back": "a=\r\nb"})
    assert response.status_code == 302
    assert "\n" not in response["Location"]
    assert any(said in m for m in messages_of(response))
    assert not Request.objects.filter(reviewer__isnull=False).exclude(
        status="approved").exists()


def test_only_the_security_team_bulk_claims(client_for, tech_lead, developer, three):
    assert client_for(tech_lead).post("/queue/bulk/", {"ids": [three[0].pk],
                                                       "do": "claim"}).status_code == 403
    assert client_for(developer).post("/queue/bulk/", {"ids": [three[0].pk],
                                                       "do": "claim"}).status_code == 403
    assert client_for(tech_lead).get("/queue/bulk/").status_code == 405
    assert 'name="ids"' not in client_for(tech_lead).get("/queue/").content.decode()
    assert Request.objects.get(pk=three[0].pk).reviewer is None
