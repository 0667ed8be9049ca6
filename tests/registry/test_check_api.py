"""POST /api/v1/check recognises a server by what it runs, not by the name a user gave it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals import services as workflow
from registry.services import build_export, registry_changed
from tests.factories import ApprovalFactory, RequestFactory, ServerFactory, stdio_config

C7 = stdio_config("@context7/mcp-server", "1.2.3")


def check(api, user, body):
    response = api(user).post("/api/v1/check", body, format="json")
    assert response.status_code == 200, response.content
    return {r["name"]: r for r in response.json()["results"]}


@pytest.fixture
def registry(db, active_approval):
    """context7 1.2.3 approved; old-tool expired; browser-automation denied."""
    old = ApprovalFactory(server__name="old-tool", server__package="@x/old-tool",
                          version="2.0.0", status="expired",
                          approved_date=timezone.localdate() - dt.timedelta(days=200),
                          expires=timezone.localdate() - dt.timedelta(days=2))
    denied = RequestFactory(server=ServerFactory(name="browser-automation",
                                                 package="@x/browser-automation"),
                            status="denied", denial_reason="Reaches any website.",
                            denial_alternative="Use playwright-mcp with an allowlist.",
                            decided_at=timezone.now())
    remote = ApprovalFactory(server__name="linear", server__package="",
                             config={"type": "http", "url": "https://mcp.linear.app/mcp"})
    build_export(cause="test")
    return {"active": active_approval, "old": old, "denied": denied, "remote": remote}


def test_an_approved_config_is_approved_under_any_name(api, developer, registry):
    results = check(api, developer, {"mcpServers": {"docs": C7, "context7": C7}})
    assert results["docs"]["verdict"] == "approved"
    assert results["docs"]["server"] == "context7"
    assert results["context7"]["verdict"] == "approved"


def test_renaming_an_unapproved_server_does_not_make_it_pass(api, developer, registry):
    evil = {"command": "npx", "args": ["-y", "@evil/exfiltrate@1.0.0"]}
    results = check(api, developer, {"mcpServers": {"context7": evil}})
    assert results["context7"]["verdict"] == "unapproved"
    assert "not what was approved" in results["context7"]["reason"]
    assert results["context7"]["request_url"].endswith("/requests/new/?server=context7")


def test_another_version_of_an_approved_package_is_a_version_mismatch_with_the_pin(
        api, developer, registry):
    newer = stdio_config("@context7/mcp-server", "1.3.0")
    results = check(api, developer, {"mcpServers": {"c7": newer}})
    assert results["c7"]["verdict"] == "version_mismatch"
    assert results["c7"]["approved_version"] == "1.2.3"
    assert results["c7"]["approved_pin"] == {"serverCommand": ["npx", *C7["args"]]}


def test_an_expired_approval_is_reported_expired(api, developer, registry):
    config = stdio_config("@x/old-tool", "2.0.0")
    results = check(api, developer, {"mcpServers": {"old": config}})
    assert results["old"]["verdict"] == "expired"
    assert "renewal" in results["old"]["reason"]


def test_a_denied_server_is_denied_with_reason_and_alternative(api, developer, registry):
    config = stdio_config("@x/browser-automation", "3.0.0")
    results = check(api, developer, {"mcpServers": {"browser": config}})
    assert results["browser"]["verdict"] == "denied"
    assert "Reaches any website" in results["browser"]["reason"]
    assert "playwright-mcp" in results["browser"]["reason"]


def test_remote_servers_are_recognised_by_url(api, developer, registry):
    results = check(api, developer, {"mcpServers": {
        "tracker": {"type": "http", "url": "https://mcp.linear.app/mcp"},
        "linear": {"type": "http", "url": "https://evil.example.com/mcp"},
    }})
    assert results["tracker"]["verdict"] == "approved"
    assert results["linear"]["verdict"] == "unapproved"


def test_claude_json_projects_are_checked_with_their_scope(api, developer, registry):
    body = {"numStartups": 3, "mcpServers": {},
            "projects": {"/home/dev/app": {"allowedTools": [],
                                           "mcpServers": {"c7": C7}}}}
    response = api(developer).post("/api/v1/check", body, format="json").json()
    assert response["results"][0]["scope"] == "/home/dev/app"
    assert response["ok"] is True


def test_a_body_that_is_not_a_config_answers_400(api, developer, registry):
    for body in ({"mcpServers": ["x"]}, {"mcpServers": "x"}, {"projects": {"/app": 5}}, {},
                 [1]):
        response = api(developer).post("/api/v1/check", body, format="json")
        assert response.status_code == 400, body
        assert "errors" in response.json()


def test_a_malformed_entry_is_unapproved_naming_the_field_and_the_others_are_checked(
        api, developer, registry):
    body = {"mcpServers": {"context7": C7,
                           "str-args": {"command": "node", "args": "server.js"},
                           "num-command": {"command": 5},
                           "num-arg": {"command": "npx", "args": ["-y", 3]},
                           "bad-url": {"type": "http", "url": ["https://x.example"]},
                           "not-an-object": "npx server",
                           "null": None},
            "projects": {"/home/dev/app": {"mcpServers": {
                "c7": C7, "bad": {"command": "npx", "args": {"0": "-y"}}}}}}
    response = api(developer).post("/api/v1/check", body, format="json")
    assert response.status_code == 200, response.content
    answer = response.json()
    results = {(r["scope"], r["name"]): r for r in answer["results"]}
    assert results[("user", "context7")]["verdict"] == "approved"
    assert results[("/home/dev/app", "c7")]["verdict"] == "approved"
    expected = {("user", "str-args"): '"args" must be a list of strings, not a string',
                ("user", "num-command"): '"command" must be a string, not a number',
                ("user", "num-arg"): '"args" must be a list of strings',
                ("user", "bad-url"): '"url" must be a string, not a list',
                ("user", "not-an-object"): "the entry is a string, not an object",
                ("user", "null"): "the entry is null, not an object",
                ("/home/dev/app", "bad"): '"args" must be a list of strings, not an object'}
    for key, reason in expected.items():
        assert results[key]["verdict"] == "unapproved", key
        assert reason in results[key]["reason"], results[key]["reason"]
    assert answer["ok"] is False
    assert answer["counts"]["unapproved"] == len(expected)


def test_an_approval_made_after_a_check_is_seen_by_the_next_check(
        api, developer, registry, file, tech_lead, security):
    # Made through the workflow, as approvals are: the check keys on the registry revision,
    # which every change bumps in its transaction (a row written around the services is not
    # a change the portal knows of).
    config = stdio_config("@example/fresh", "1.0.0")
    assert check(api, developer, {"mcpServers": {"f": config}})["f"]["verdict"] == "unapproved"
    request = file(server_name="fresh", version="1.0.0", package="@example/fresh",
                   config=config)
    workflow.set_assessment(actor=security, request=request, risk="LOW")
    workflow.sign_off(actor=tech_lead, request=request, role="tech_lead", decision="approve")
    workflow.sign_off(actor=security, request=request, role="security_team",
                      decision="approve", comment="Reviewed.")
    assert check(api, developer, {"mcpServers": {"f": config}})["f"]["verdict"] == "approved"


def test_check_needs_authentication(api):
    assert api().post("/api/v1/check", {"mcpServers": {}}, format="json").status_code == 401


@pytest.mark.urls("tests.urls_elsewhere")
def test_the_links_in_a_verdict_are_the_named_routes_at_the_portal_s_address(
        api, developer, registry, file, settings):
    """At PORTAL_BASE_URL, whatever Host the hook called: the hook shows these links to a
    developer, and a Host header is the caller's to choose."""
    settings.PORTAL_BASE_URL = portal = "https://portal.example.com"
    newer = stdio_config("@context7/mcp-server", "1.3.0")
    bump = file(kind="version_bump", version="1.3.0", config=newer)
    response = api(developer).post(reverse("api-check"), {"mcpServers": {"c7": newer}},
                                   format="json", HTTP_HOST="localhost")
    result = response.json()["results"][0]
    assert result["verdict"] == "version_mismatch"
    assert result["reason"].endswith(
        f"Request #{bump.pk} for context7 1.3.0 is open (under_review): "
        f"{portal}/portal/requests/{bump.pk}/")
    assert result["request_url"] == f"{portal}/portal/requests/new/?server=context7"


def _check_queries(client, body):
    with CaptureQueriesContext(connection) as ctx:
        assert client.post("/api/v1/check", body, format="json").status_code == 200
    return len(ctx.captured_queries)


def test_a_check_reads_as_much_with_a_large_registry_as_with_a_small_one(
        api, developer, registry):
    """The check looks servers up by index; it never reads the whole registry: the first
    check after a change runs as many queries with 60 more approvals and denials, and a
    check of the same config again reads only the revision."""
    body = {"mcpServers": {"docs": C7, "linear": {"type": "http",
                                                 "url": "https://mcp.linear.app/mcp"},
                           "browser-automation": stdio_config("@x/browser-automation", "1"),
                           "other": stdio_config("@x/unknown", "1.0.0")}}
    client = api(developer)
    _check_queries(client, body)  # the token's first use is written once
    registry_changed(cause="test")
    small = _check_queries(client, body)
    again = _check_queries(client, body)
    for n in range(30):
        ApprovalFactory(server__name=f"filler-{n}", server__package=f"@x/filler-{n}")
        RequestFactory(server=ServerFactory(name=f"denied-{n}"), status="denied",
                       denial_reason="No.", decided_at=timezone.now())
    registry_changed(cause="test")
    assert _check_queries(client, body) == small
    assert _check_queries(client, body) == again
    assert again < small
    results = check(api, developer, body)
    assert [results[n]["verdict"] for n in ("docs", "linear", "browser-automation", "other")
            ] == ["approved", "approved", "denied", "unapproved"]


def test_an_approval_whose_config_changes_is_found_by_what_it_runs_now(api, developer,
                                                                       active_approval):
    """The lookup columns follow the config, also when only the config is saved."""
    moved = stdio_config("@context7/mcp-server-next", "1.2.3")
    active_approval.config = moved
    active_approval.save(update_fields=["config"])
    registry_changed(cause="test")
    results = check(api, developer, {"mcpServers": {"a": moved, "b": C7}})
    assert results["a"]["verdict"] == "approved"
    assert results["b"]["verdict"] != "approved"
