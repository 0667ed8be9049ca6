"""Issue 8 §1, §2 and §5 through the API, as a developer or an attacker meets them: no
pattern enters the registry, a bump cannot swap the package, no hidden characters; and
the served managed-settings.json never holds a pattern nor a deny entry that would block
an approved server."""

import json

import pytest

from approvals import services as workflow
from approvals.models import Request, SignOff
from registry.formats import client_matches
from registry.models import Approval
from registry.services import build_export
from tests.factories import ApprovalFactory, RequestFactory, ServerFactory, stdio_config

REMOTE = {
    "kind": "new_server", "server_name": "remote-docs", "version": "1.0.0",
    "source": "https://github.com/x/remote-docs", "proposed_data_scope": "PUBLIC",
    "use_case": "Documentation lookup.", "config": {"type": "http",
                                                    "url": "https://mcp.example.com/mcp"},
}
BUMP = {"kind": "version_bump", "server_name": "context7", "version": "1.2.5",
        "use_case": "Patch release."}


@pytest.mark.parametrize("url", ["https://*/*", "https://*", "https://*.example.com/mcp",
                                 "https://mcp.example.com/*"])
def test_filing_a_wildcard_url_answers_400_on_config_url(api, developer, url):
    response = api(developer).post("/api/v1/requests/", {
        **REMOTE, "config": {"type": "http", "url": url}}, format="json")
    assert response.status_code == 400, response.json()
    assert "wildcard" in response.json()["errors"]["config.url"][0]
    assert not Request.objects.exists()


@pytest.mark.parametrize(("url", "words"), [
    ("https://mcp.example.com@evil.example/mcp", "user info"),
    ("http://mcp.example.com/mcp", "https://"),
    ("https:///mcp", "no host"),
])
def test_filing_a_url_that_is_not_one_https_endpoint_answers_400(api, developer, url, words):
    response = api(developer).post("/api/v1/requests/", {
        **REMOTE, "config": {"type": "http", "url": url}}, format="json")
    assert response.status_code == 400
    assert words in response.json()["errors"]["config.url"][0]


def test_editing_or_resubmitting_a_wildcard_url_is_refused_and_changes_nothing(
        api, developer, security):
    created = api(developer).post("/api/v1/requests/", REMOTE, format="json").json()
    workflow.transition(actor=security, request=Request.objects.get(pk=created["id"]),
                        status="needs_info")
    client = api(developer)
    response = client.patch(f"/api/v1/requests/{created['id']}/", {
        "config": {"type": "http", "url": "https://*/*"}}, format="json")
    assert response.status_code == 400
    assert "config.url" in response.json()["errors"]
    assert Request.objects.get(pk=created["id"]).config["url"] == "https://mcp.example.com/mcp"


def test_the_context7_package_swap_from_the_issue_is_refused(api, developer, active_approval):
    """context7 approved as @context7/mcp-server@1.2.3; a "patch bump" whose args run
    @evil/context7@1.2.5 was classified patch and, once signed, pinned the other package."""
    response = api(developer).post("/api/v1/requests/", {
        **BUMP, "config": {"command": "npx", "args": ["-y", "@evil/context7@1.2.5"],
                           "env": {}}}, format="json")
    assert response.status_code == 400, response.json()
    message = response.json()["errors"]["config.args"][0]
    assert "@evil/context7" in message and "new_server" in message
    assert not Request.objects.exists()


def test_a_bump_naming_another_package_is_refused_on_the_package(api, developer,
                                                                 active_approval):
    response = api(developer).post("/api/v1/requests/", {
        **BUMP, "package": "@evil/context7",
        "config": stdio_config("@evil/context7", "1.2.5")}, format="json")
    assert response.status_code == 400
    assert "@context7/mcp-server" in response.json()["errors"]["package"][0]


def test_a_bump_that_changes_the_runner_is_refused(api, developer, active_approval):
    response = api(developer).post("/api/v1/requests/", {
        **BUMP, "config": {"command": "/tmp/npx", "args": ["-y", "@context7/mcp-server@1.2.5"]}},
        format="json")
    assert response.status_code == 400
    assert "config.command" in response.json()["errors"]


def test_a_patch_bump_of_the_same_package_is_still_a_patch(api, developer, active_approval):
    response = api(developer).post("/api/v1/requests/", {
        **BUMP, "config": stdio_config("@context7/mcp-server", "1.2.5")}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["bump_level"] == "patch"


def test_a_stdio_to_http_bump_is_classified_major(api, developer, active_approval):
    response = api(developer).post("/api/v1/requests/", {
        **BUMP, "version": "1.2.4",
        "config": {"type": "http", "url": "https://mcp.context7.com/mcp"}}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["bump_level"] == "major"
    assert "transport" in body["bump_reason"]
    assert body["route"]["required_roles"] == ["security_team", "engineering_director"]


def test_a_resubmitted_bump_cannot_swap_the_package_either(api, developer, security,
                                                           active_approval):
    created = api(developer).post("/api/v1/requests/", {
        **BUMP, "config": stdio_config("@context7/mcp-server", "1.2.5")}, format="json").json()
    workflow.transition(actor=security, request=Request.objects.get(pk=created["id"]),
                        status="needs_info")
    response = api(developer).patch(f"/api/v1/requests/{created['id']}/", {
        "config": stdio_config("@evil/context7", "1.2.5")}, format="json")
    assert response.status_code == 400
    assert "config.args" in response.json()["errors"]


def test_an_edit_to_http_makes_a_patch_bump_major(api, developer, security, active_approval):
    created = api(developer).post("/api/v1/requests/", {
        **BUMP, "config": stdio_config("@context7/mcp-server", "1.2.5")}, format="json").json()
    workflow.transition(actor=security, request=Request.objects.get(pk=created["id"]),
                        status="needs_info")
    response = api(developer).patch(f"/api/v1/requests/{created['id']}/", {
        "config": {"type": "http", "url": "https://mcp.context7.com/mcp"}}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["bump_level"] == "major"


@pytest.mark.parametrize(("field", "value", "key"), [
    ("server_name", "context7\u202e", "server_name"),
    ("package", "@context7/mcp\u200b-server", "package"),
    ("config", {"command": "npx", "args": ["-y", "@context7/mcp-server@1.2.3\u2066"]},
     "config.args"),
    ("config", {"command": "npx", "args": ["-y", "@context7/mcp-server@1.2.3"],
                "env": {"LOG\u200dLEVEL": "info"}}, "config.env"),
    ("config", {"type": "http", "url": "https://mcp.example.com/m\ufeffcp"}, "config.url"),
])
def test_hidden_characters_answer_400_naming_field_and_character(api, developer, field,
                                                                 value, key):
    from tests.approvals.test_requests_api import NEW

    response = api(developer).post("/api/v1/requests/", {**NEW, field: value}, format="json")
    assert response.status_code == 400, response.json()
    assert "U+" in " ".join(response.json()["errors"][key])
    assert not Request.objects.exists()


def test_the_served_settings_never_hold_a_pattern_nor_deny_an_approved_server(
        api, platform, security):
    """Rows written as old data would be: denials of wildcard URLs (filed before the rule),
    an approval of one, and a denial of a copy of an approved URL."""
    linear = ApprovalFactory(server=ServerFactory(name="linear", package="", package_registry=""),
                             config={"type": "http", "url": "https://mcp.linear.app/mcp"})
    ApprovalFactory(server=ServerFactory(name="anything", package="", package_registry=""),
                    config={"type": "http", "url": "https://*"})
    for name, url in [("catch-all", "https://*/*"), ("subdomains", "https://*.linear.app/mcp"),
                      ("copy", "https://MCP.linear.app/mcp"), ("evil", "https://evil.example/mcp")]:
        denied = RequestFactory(server=ServerFactory(name=name, package="", package_registry=""),
                                status="denied", denial_reason="No.",
                                config={"type": "http", "url": url})
        SignOff.objects.create(request=denied, user=security, role="security_team",
                               decision="deny", reason="No.")
    build_export(cause="test")
    response = api(platform).get("/api/v1/exports/latest/managed-settings.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert "*" not in response.content.decode()
    assert document["allowedMcpServers"] == [{"serverUrl": linear.config["url"]}]
    for entry in document["deniedMcpServers"]:
        assert not any(client_matches(entry, pinned) for pinned in document["allowedMcpServers"])
    assert {"serverUrl": "https://evil.example/mcp"} in document["deniedMcpServers"]
    assert {"serverName": "catch-all"} in document["deniedMcpServers"]
    managed = json.loads(api(platform).get("/api/v1/exports/latest/managed-mcp.json").content)
    assert list(managed["mcpServers"]) == ["linear"]
    assert Approval.objects.filter(server__name="anything").exists()  # recorded, not deployed
