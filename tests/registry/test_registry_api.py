"""The MCP Registry API v0.1 (SPEC §6.4) that VS Code and Copilot read: every response is
validated against the official OpenAPI document (tests/vendor, commit named in
official_openapi.VENDORED_COMMIT), errors included."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from registry import services
from registry.models import Approval
from tests.factories import ApprovalFactory, ServerFactory

from .official_openapi import VENDORED_COMMIT, validate
from .registry_api_helpers import LIST, OFFICIAL, get, names, versions_path


def test_vendored_document_is_the_named_commit_of_the_official_one():
    from .official_openapi import DOCUMENT, document

    header = DOCUMENT.read_text().split("openapi:", 1)[0]
    assert VENDORED_COMMIT in header and "modelcontextprotocol/registry" in header
    assert "MIT" in header
    assert document()["info"]["version"] == "2025-12-01"


def test_list_serves_active_approvals_as_packages_in_the_namespace(org, reader):
    ApprovalFactory(server__name="context7", server__package="@upstash/context7-mcp",
                    server__source="https://github.com/upstash/context7", version="1.2.3",
                    config={"command": "npx",
                            "args": ["-y", "@upstash/context7-mcp@1.2.3", "--transport=stdio"],
                            "env": {"CONTEXT7_API_KEY": "${CONTEXT7_API_KEY}",
                                    "LOG_LEVEL": "info"}})
    ApprovalFactory(server__name="revoked-one", status=Approval.Status.REVOKED)

    body = get(reader, LIST).json()

    assert names(body) == ["com.acme/context7"]
    server = body["servers"][0]["server"]
    assert server["version"] == "1.2.3"
    assert server["repository"] == {"url": "https://github.com/upstash/context7",
                                    "source": "github"}
    [package] = server["packages"]
    assert package["registryType"] == "npm"
    assert package["identifier"] == "@upstash/context7-mcp"
    assert package["version"] == "1.2.3"
    assert package["transport"] == {"type": "stdio"}
    assert package["runtimeHint"] == "npx"
    assert package["runtimeArguments"] == [{"type": "named", "name": "-y"}]
    assert package["packageArguments"] == [
        {"type": "named", "name": "--transport", "value": "stdio"}]
    env = {e["name"]: e for e in package["environmentVariables"]}
    assert env["CONTEXT7_API_KEY"]["isSecret"] is True
    assert "value" not in env["CONTEXT7_API_KEY"]
    assert env["LOG_LEVEL"]["value"] == "info"
    meta = body["servers"][0]["_meta"][OFFICIAL]
    assert meta["status"] == "active" and meta["isLatest"] is True
    assert body["metadata"] == {"count": 1}


def test_placeholder_inside_a_value_becomes_a_secret_variable(org, reader):
    ApprovalFactory(server__name="jira", version="2.0.0", config={
        "type": "http", "url": "https://mcp.example.com/jira",
        "headers": {"Authorization": "Bearer ${JIRA_TOKEN}"}})

    server = get(reader, LIST).json()["servers"][0]["server"]

    assert "packages" not in server
    [remote] = server["remotes"]
    assert remote["type"] == "streamable-http" and remote["url"] == "https://mcp.example.com/jira"
    [header] = remote["headers"]
    assert header["value"] == "Bearer {JIRA_TOKEN}"
    assert header["variables"]["JIRA_TOKEN"]["isSecret"] is True
    assert "JIRA_TOKEN}" not in str(header["variables"]["JIRA_TOKEN"].get("default", ""))


def test_sse_remote_keeps_its_type(org, reader):
    ApprovalFactory(server__name="events", config={"type": "sse",
                                                   "url": "https://mcp.example.com/sse"})

    [remote] = get(reader, LIST).json()["servers"][0]["server"]["remotes"]

    assert remote == {"type": "sse", "url": "https://mcp.example.com/sse"}


def test_cursor_pages_cover_every_approval_once_in_name_order(org, reader):
    for i in range(5):
        ApprovalFactory(server__name=f"srv-{i}")

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = get(reader, LIST, **params).json()
        pages += 1
        assert body["metadata"]["count"] == len(body["servers"])
        seen += names(body)
        cursor = body["metadata"].get("nextCursor")
        if not cursor:
            break

    assert pages == 3
    assert seen == [f"com.acme/srv-{i}" for i in range(5)]


def test_list_query_count_is_flat_across_cursor_pages(org, reader, django_assert_num_queries):
    for i in range(60):
        ApprovalFactory(server__name=f"srv-{i:02d}")
    first = reader.get(LIST, {"limit": 20}).json()
    cursor = first["metadata"]["nextCursor"]
    second = reader.get(LIST, {"limit": 20, "cursor": cursor}).json()

    # The organisation row and one statement for the page, on every page.
    with django_assert_num_queries(2):
        third = get(reader, LIST, limit=20, cursor=second["metadata"]["nextCursor"]).json()
    with django_assert_num_queries(2):
        get(reader, LIST, limit=20)
    assert len(third["servers"]) == 20 and "nextCursor" not in third["metadata"]


def test_search_matches_a_substring_of_the_name(org, reader):
    ApprovalFactory(server__name="github-issues")
    ApprovalFactory(server__name="filesystem")

    assert names(get(reader, LIST, search="hub").json()) == ["com.acme/github-issues"]
    assert names(get(reader, LIST, search="acme/file").json()) == ["com.acme/filesystem"]
    assert len(get(reader, LIST, search="com.acme").json()["servers"]) == 2
    assert names(get(reader, LIST, search="org.other/file").json()) == []


def test_search_is_a_case_insensitive_substring_of_the_full_name(org, reader):
    ApprovalFactory(server__name="xcon")
    ApprovalFactory(server__name="context7")

    def found(term):
        return names(get(reader, LIST, search=term).json())

    # Across the slash, what follows it starts the server's name: com.acme/xcon has no
    # "me/con" in it.
    assert found("me/con") == ["com.acme/context7"]
    assert found("ACME/CON") == ["com.acme/context7"]
    assert found("/x") == ["com.acme/xcon"]
    assert found("Context7") == ["com.acme/context7"]
    assert found("ACME") == found("e/") == found("com.acme/") == [
        "com.acme/context7", "com.acme/xcon"]
    assert found("acme/con/x") == found("com.acm/con") == found("me.com/") == []


def test_version_latest_and_exact_version(org, reader):
    server = ServerFactory(name="context7")
    old = ApprovalFactory(server=server, version="1.0.0", status=Approval.Status.SUPERSEDED,
                          approved_date=timezone.localdate() - dt.timedelta(days=40))
    new = ApprovalFactory(server=server, version="1.1.0")
    old.superseded_by = new
    old.save()

    everything = get(reader, LIST, include_deleted="true").json()
    latest = get(reader, LIST, version="latest", include_deleted="true").json()
    exact = get(reader, LIST, version="1.0.0", include_deleted="true").json()

    assert [e["server"]["version"] for e in everything["servers"]] == ["1.0.0", "1.1.0"]
    assert [e["server"]["version"] for e in latest["servers"]] == ["1.1.0"]
    [superseded] = exact["servers"]
    assert superseded["_meta"][OFFICIAL]["status"] == "deprecated"
    assert superseded["_meta"][OFFICIAL]["isLatest"] is False
    assert "1.1.0" in superseded["_meta"][OFFICIAL]["statusMessage"]


def test_updated_since_tells_a_syncing_client_what_stopped(org, reader, security):
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)):
        kept = ApprovalFactory(server__name="kept", approved_date=dt.date(2026, 2, 1),
                               expires=dt.date(2026, 8, 1))
        revoked = ApprovalFactory(server__name="revoked", approved_date=dt.date(2026, 2, 1),
                                  expires=dt.date(2026, 8, 1))
        expiring = ApprovalFactory(server__name="expiring", approved_date=dt.date(2026, 1, 1),
                                   expires=dt.date(2026, 3, 10))
        lapsing = ApprovalFactory(server__name="lapsing", approved_date=dt.date(2026, 1, 1),
                                  expires=dt.date(2026, 3, 12))
    since = "2026-03-05T00:00:00Z"
    with time_machine.travel(dt.datetime(2026, 3, 6, 9, tzinfo=dt.UTC)):
        services.revoke_approval(actor=security, approval=revoked, reason="Leaked data.")
    with time_machine.travel(dt.datetime(2026, 3, 11, 9, tzinfo=dt.UTC)):
        services.expire_due_approvals()
    with time_machine.travel(dt.datetime(2026, 3, 14, 9, tzinfo=dt.UTC)):
        # `lapsing` passed its expiry day; the expiry job has not run for it yet.
        body = get(reader, LIST, updated_since=since).json()
        default = get(reader, LIST).json()

    status = {e["server"]["title"]: e["_meta"][OFFICIAL] for e in body["servers"]}
    assert set(status) == {"revoked", "expiring", "lapsing"}
    assert status["revoked"]["status"] == "deleted"
    assert status["expiring"]["status"] == "deprecated"
    assert status["lapsing"]["status"] == "deprecated"
    assert status["lapsing"]["updatedAt"].startswith("2026-03-13T00:00:00")
    assert names(default) == ["com.acme/kept"]
    assert kept.pk and expiring.pk and lapsing.pk


def test_updated_since_before_the_lapse_day_does_not_list_it_early(org, reader):
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)):
        ApprovalFactory(server__name="lapsing", approved_date=dt.date(2026, 1, 1),
                        expires=dt.date(2026, 3, 12))
    with time_machine.travel(dt.datetime(2026, 3, 12, 18, tzinfo=dt.UTC)):
        body = get(reader, LIST, updated_since="2026-03-05T00:00:00Z").json()

    assert body["servers"] == []


@pytest.mark.parametrize("time_zone", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
@pytest.mark.parametrize("since", ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00-10:00",
                                   "9999-12-31T23:59:59+10:00"])
def test_updated_since_at_the_ends_of_the_calendar_is_answered(org, reader, settings,
                                                              time_zone, since):
    """Go's zero time (0001-01-01T00:00:00Z) is what a client that has never synced may
    send: everything changed since then; nothing changed since the end of year 9999."""
    settings.TIME_ZONE = time_zone
    ApprovalFactory(server__name="kept")
    ApprovalFactory(server__name="revoked", status=Approval.Status.REVOKED,
                    status_changed_at=timezone.now())

    found = names(get(reader, LIST, updated_since=since).json())

    assert found == ([] if since.startswith("9999") else ["com.acme/kept", "com.acme/revoked"])


def test_versions_of_a_server_by_url_encoded_name(org, reader):
    server = ServerFactory(name="context7")
    ApprovalFactory(server=server, version="1.0.0", status=Approval.Status.REVOKED,
                    approved_date=timezone.localdate() - dt.timedelta(days=30))
    ApprovalFactory(server=server, version="1.1.0")

    listed = get(reader, versions_path("com.acme/context7")).json()
    with_deleted = reader.get(versions_path("com.acme/context7"), {"include_deleted": "true"})
    validate(with_deleted, "/v0.1/servers/com.acme/context7/versions")

    assert "%2F" in versions_path("com.acme/context7")
    assert [e["server"]["version"] for e in listed["servers"]] == ["1.1.0"]
    assert [e["server"]["version"] for e in with_deleted.json()["servers"]] == [
        "1.1.0", "1.0.0"]


def test_one_version_latest_and_build_metadata(org, reader):
    server = ServerFactory(name="context7")
    ApprovalFactory(server=server, version="1.0.0+build.7")

    exact = get(reader, versions_path("com.acme/context7", "1.0.0+build.7")).json()
    latest = get(reader, versions_path("com.acme/context7", "latest")).json()

    assert exact["server"]["version"] == "1.0.0+build.7"
    assert latest == exact


def test_revoked_version_is_found_only_with_include_deleted(org, reader):
    ApprovalFactory(server__name="gone", version="1.0.0", status=Approval.Status.REVOKED)
    path = versions_path("com.acme/gone", "1.0.0")

    missing = reader.get(path)
    found = reader.get(path, {"include_deleted": "true"})

    assert validate(missing, path)["error"].startswith("Server not found")
    assert missing.status_code == 404
    assert validate(found, path)["_meta"][OFFICIAL]["status"] == "deleted"
