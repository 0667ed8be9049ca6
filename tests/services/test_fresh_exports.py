"""The served files on PostgreSQL with the broker down (SPEC §6.5): readers who arrive while
the files are behind the registry wait for one build and all get the same, current file."""

import json
import threading

import pytest
from django.db import connections
from rest_framework.test import APIClient

from accounts.services import issue_token
from approvals import services as workflow
from registry.models import ExportSnapshot
from registry.selectors import export_state
from registry.services import build_export
from tests.factories import UserFactory, stdio_config

from .conftest import celery_broker, closed_port

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

READERS = 6


def test_readers_during_a_build_all_get_the_one_new_snapshot():
    dev = UserFactory(username="dev")
    lead = UserFactory(username="lead", roles=["tech_lead"])
    sec = UserFactory(username="sec", roles=["security_team"])
    pipelines = [UserFactory(username=f"pipeline{n}", roles=["platform_team"])
                 for n in range(READERS)]
    tokens = [issue_token(user=u, name="pipeline", days=None)[1] for u in pipelines]
    build_export(cause="before")
    before = ExportSnapshot.objects.count()

    with celery_broker(f"redis://127.0.0.1:{closed_port()}/0", "outage", results=False):
        request = workflow.file_request(
            actor=dev, kind="new_server", server_name="context7", version="1.2.3",
            source="https://github.com/context7/mcp-server", package="@context7/mcp-server",
            package_registry="npm", proposed_data_scope="PUBLIC", use_case="Docs lookup.",
            config=stdio_config("@context7/mcp-server", "1.2.3"))
        workflow.set_assessment(actor=sec, request=request, risk="LOW")
        workflow.sign_off(actor=lead, request=request, role="tech_lead", decision="approve")
        workflow.sign_off(actor=sec, request=request, role="security_team",
                          decision="approve", comment="Reviewed.")
    assert not export_state().is_current()  # nothing was built: the queue was down

    start = threading.Barrier(READERS)
    answers = [None] * READERS

    def read(n):
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {tokens[n]}")
            start.wait(timeout=30)
            answers[n] = client.get("/api/v1/exports/latest/managed-mcp.json")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=read, args=(n,)) for n in range(READERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert [a.status_code for a in answers] == [200] * READERS
    assert len({a["ETag"] for a in answers}) == 1
    assert all("context7" in json.loads(a.content)["mcpServers"] for a in answers)
    assert ExportSnapshot.objects.count() == before + 1
    assert export_state().is_current()
