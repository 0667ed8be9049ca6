""""Is this approval in force today?" has one answer (SPEC §4 rule 7): the pure function for
rows in memory and the query for the database agree, and every reader (the files, the
catalog, the server page, the check API) asks them, so an approval past its expiry is out
of all of them at once, whether or not the expiry job has run."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from registry.models import Approval, in_force, lapsed
from registry.services import build_export
from tests.factories import ApprovalFactory, stdio_config

pytestmark = pytest.mark.django_db

STATUSES = [s.value for s in Approval.Status]
OFFSETS = range(-3, 4)


def test_the_function_and_the_query_give_the_same_answer_for_every_case():
    today = timezone.localdate()
    cases = {}
    for status in STATUSES:
        for offset in OFFSETS:
            approval = ApprovalFactory(
                server__name=f"{status}{offset + 3}", status=status,
                approved_date=today - dt.timedelta(days=30),
                expires=today + dt.timedelta(days=offset))
            cases[approval.pk] = (status, approval.expires)
    deployable = set(Approval.objects.deployable(today).values_list("pk", flat=True))
    gone = set(Approval.objects.lapsed(today).values_list("pk", flat=True))
    due = set(Approval.objects.past_expiry(today).values_list("pk", flat=True))
    for pk, (status, expires) in cases.items():
        assert (pk in deployable) == in_force(status, expires, today), (status, expires)
        assert (pk in gone) == lapsed(status, expires, today), (status, expires)
        assert (pk in due) == (status == "active" and not in_force(status, expires, today))
    # the expiry day itself still counts
    assert in_force("active", today, today) and not in_force("active", today, today +
                                                             dt.timedelta(days=1))


def test_an_approval_past_its_expiry_is_out_of_every_reader_before_the_job_runs(
        api, client, platform, developer):
    today = timezone.localdate()
    approval = ApprovalFactory(server__name="lapsed", version="1.0.0",
                               approved_date=today - dt.timedelta(days=100),
                               expires=today - dt.timedelta(days=1))
    build_export(cause="test")
    assert approval.status == "active"  # the job has not run

    files = api(platform).get("/api/v1/exports/latest/managed-mcp.json")
    assert json.loads(files.content)["mcpServers"] == {}
    server = api(developer).get("/api/v1/servers/lapsed/").json()
    assert (server["status"], server["active_approval"]) == ("expired", None)
    check = api(developer).post("/api/v1/check", {"mcpServers": {
        "x": stdio_config(approval.server.package, "1.0.0")}}, format="json")
    assert check.json()["results"][0]["verdict"] == "expired"
    client.force_login(developer)
    page = client.get("/servers/lapsed/").content.decode()
    assert "No active approval" in page and 'badge expired">expired' in page
