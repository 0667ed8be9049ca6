"""Tool-level approval (issue 14, section 3) as people meet it: an approver signs a server
off with a tool excluded; the exclusion is shown on the request, the catalog and the
server page, audited, carried by a bump, answered by the check API and written into the
export files (managed-settings.json's permission rules, the registry YAML, imported back)."""

import json
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from approvals import services as workflow
from approvals.models import SignOff
from governance.errors import InvalidInput
from registry.models import Approval
from registry.services import build_export, registry_changed
from tests.factories import ApprovalFactory, stdio_config
from tests.registry.registry_files import export, import_text

pytestmark = pytest.mark.django_db

GITHUB = stdio_config("@modelcontextprotocol/server-github", "2025.4.8")


def post(client, request, action, **data):
    prefix = "edit" if action == "resubmit" else action
    return client.post(f"/requests/{request.pk}/", {
        "action": action, **{f"{prefix}-{key}": value for key, value in data.items()}})


@pytest.fixture
def github_request(file):
    return file(server_name="github", version="2025.4.8", package="@modelcontextprotocol/"
                "server-github", source="https://github.com/modelcontextprotocol/servers",
                config=GITHUB, excluded_tools=["push_files"])


def approve_on_the_page(client_for, request, tech_lead, security, **security_signoff):
    assert post(client_for(tech_lead), request, "signoff", role="tech_lead",
                decision="approve", comment="Useful.").status_code == 302
    sec = client_for(security)
    assert post(sec, request, "assess", risk="LOW").status_code == 302
    response = post(sec, request, "signoff", role="security_team", decision="approve",
                    comment="Reviewed the code.", **security_signoff)
    return response


def test_the_final_sign_off_approves_with_a_tool_excluded_and_every_page_shows_it(
        client_for, github_request, tech_lead, security, developer):
    response = approve_on_the_page(client_for, github_request, tech_lead, security,
                                   exclude_tools="delete_repository\n")
    assert response.status_code == 302, response.content.decode()[:2000]
    approval = Approval.objects.active().get(server__name="github")
    # The requester proposed push_files; the approver added delete_repository.
    assert approval.excluded_tools == ["delete_repository", "push_files"]

    page = client_for(developer).get(f"/requests/{github_request.pk}/").content.decode()
    assert "<code>delete_repository</code>" in page and "<code>push_files</code>" in page
    assert "excluded: delete_repository" in page  # the timeline says who added what
    catalog = client_for(developer).get("/").content.decode()
    assert "without <code>delete_repository</code>, <code>push_files</code>" in catalog
    server = client_for(developer).get("/servers/github/").content.decode()
    assert 'id="excluded-tools"><code>delete_repository</code>' in server


def test_the_audit_trail_names_the_excluded_tools(client_for, github_request, tech_lead,
                                                  security):
    approve_on_the_page(client_for, github_request, tech_lead, security,
                        exclude_tools="delete_repository")
    approval = Approval.objects.active().get(server__name="github")
    audit = client_for(security).get(
        f"/audit/?type=registry.approval&id={approval.pk}").content.decode()
    assert "excluded_tools" in audit and "delete_repository" in audit


def test_a_bad_tool_name_at_sign_off_is_refused_next_to_the_field_and_nothing_changes(
        client_for, github_request, tech_lead, security):
    response = approve_on_the_page(client_for, github_request, tech_lead, security,
                                   exclude_tools="delete repository!")
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not a tool name" in html and "MCP specification" in html
    github_request.refresh_from_db()
    assert github_request.status != "approved"
    assert github_request.excluded_tools == ["push_files"]
    assert not Approval.objects.filter(server__name="github").exists()


def test_filing_with_a_bad_exclusion_names_the_field(file):
    with pytest.raises(InvalidInput) as refused:
        file(excluded_tools=["ok", ""])
    assert refused.value.errors == {"excluded_tools": ["item 2 is empty: give a tool name"]}


def test_lifting_an_exclusion_sets_the_earlier_sign_offs_aside(github_request, tech_lead,
                                                               security):
    workflow.sign_off(actor=tech_lead, request=github_request, role="tech_lead",
                      decision="approve")
    workflow.set_assessment(actor=security, request=github_request, excluded_tools=[])
    github_request.refresh_from_db()
    assert github_request.excluded_tools == []
    assert SignOff.all_objects.get(request=github_request).stale
    assert not github_request.signoffs.exists()
    verbs = list(github_request.events.values_list("verb", "detail"))
    assert ("tools_excluded", "no longer excluded: push_files") in verbs


def test_a_bump_carries_the_exclusions_of_the_approval_it_supersedes(
        file, tech_lead, security, client_for, developer):
    ApprovalFactory(server__name="github", server__package="@modelcontextprotocol/"
                    "server-github", version="2025.4.8", config=GITHUB,
                    excluded_tools=["delete_repository"])
    bump = file(kind="version_bump", server_name="github", version="2025.4.9",
                config=stdio_config("@modelcontextprotocol/server-github", "2025.4.9"),
                package="", source="", excluded_tools=["fork_repository"])
    assert bump.excluded_tools == ["delete_repository", "fork_repository"]
    form = client_for(developer).get("/requests/new/?server=github&kind=version_bump")
    assert "is approved without <code>delete_repository</code>: a version bump or renewal " \
        "keeps these exclusions" in form.content.decode()
    workflow.set_assessment(actor=security, request=bump, risk="LOW")
    for actor, role in ((tech_lead, "tech_lead"), (security, "security_team")):
        bump.refresh_from_db()
        if bump.is_open:  # a patch bump is the tech lead's alone
            workflow.sign_off(actor=actor, request=bump, role=role, decision="approve",
                              comment="Reviewed.", release_notes="https://example.com/notes")
    new = Approval.objects.active().get(server__name="github")
    assert new.version == "2025.4.9"
    assert new.excluded_tools == ["delete_repository", "fork_repository"]


def test_the_check_api_returns_the_excluded_tools_whatever_the_local_name(api, developer):
    ApprovalFactory(server__name="github", server__package="@modelcontextprotocol/"
                    "server-github", version="2025.4.8", config=GITHUB,
                    excluded_tools=["delete_repository"])
    ApprovalFactory(server__name="context7", server__package="@context7/mcp-server")
    response = api(developer).post("/api/v1/check", {"mcpServers": {
        "gh": GITHUB, "docs": stdio_config("@context7/mcp-server", "1.2.3")}}, format="json")
    results = {r["name"]: r for r in response.json()["results"]}
    assert results["gh"]["verdict"] == "approved"
    assert results["gh"]["excluded_tools"] == ["delete_repository"]
    assert results["docs"]["excluded_tools"] == []
    schema = api(developer).get("/api/schema/").content.decode()
    assert "excluded_tools" in schema


def test_managed_settings_deny_each_excluded_tool_by_its_client_name():
    ApprovalFactory(server__name="github", server__package="@x/github",
                    excluded_tools=["delete_repository", "push_files"])
    ApprovalFactory(server__name="acme.db", server__package="@x/acme-db",
                    excluded_tools=["rows.drop"])
    ApprovalFactory(server__name="context7", server__package="@x/context7")
    settings = json.loads(export("managed-settings.json"))
    assert settings["permissions"] == {"deny": [
        "mcp__acme_db__rows_drop", "mcp__github__delete_repository",
        "mcp__github__push_files"]}
    # The servers' names are those of managed-mcp.json, before the client normalises them.
    assert {"acme.db", "github", "context7"} <= set(
        json.loads(export("managed-mcp.json"))["mcpServers"])


def test_without_exclusions_the_settings_file_and_its_etag_do_not_change(api, platform):
    approval = ApprovalFactory(server__name="github", server__package="@x/github")
    before = export("managed-settings.json")
    assert "permissions" not in json.loads(before)
    build_export(cause="before")
    first = api(platform).get("/api/v1/exports/latest/managed-settings.json")
    approval.excluded_tools = ["delete_repository"]
    approval.save()
    registry_changed(cause="excluded")
    second = api(platform).get("/api/v1/exports/latest/managed-settings.json")
    assert first["ETag"] != second["ETag"]
    assert "mcp__github__delete_repository" in second.content.decode()
    third = api(platform).get("/api/v1/exports/latest/managed-settings.json")
    assert third["ETag"] == second["ETag"]


def test_the_registry_yaml_carries_exclusions_and_imports_them_back(tmp_path):
    ApprovalFactory(server__name="github", server__package="@x/github",
                    excluded_tools=["delete_repository"])
    text = export("mcp-registry.yaml")
    entry = yaml.safe_load(text)["approved"][0]
    assert entry["excluded_tools"] == ["delete_repository"]
    Approval.objects.all().delete()
    import_text(tmp_path, text)
    assert Approval.objects.active().get(server__name="github").excluded_tools == [
        "delete_repository"]
    assert export("mcp-registry.yaml") == text


def test_a_bad_exclusion_in_the_registry_yaml_imports_nothing_and_names_the_field(tmp_path):
    ApprovalFactory(server__name="github", server__package="@x/github",
                    excluded_tools=["delete_repository"])
    text = export("mcp-registry.yaml").replace("- delete_repository", "- delete repository")
    Approval.objects.all().delete()
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_registry", str(path), stdout=StringIO(), stderr=err)
    assert "approved[0] (github).excluded_tools: 'delete repository' is not a tool name" in (
        err.getvalue()), err.getvalue()
    assert not Approval.objects.exists()


def test_the_api_files_with_proposed_exclusions_and_refuses_a_bad_one_naming_it(
        api, developer, new_server_kwargs):
    body = {**new_server_kwargs, "excluded_tools": ["delete_repository", "x/y"]}
    response = api(developer).post("/api/v1/requests/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"excluded_tools": [
        "'x/y' is not a tool name: use 1 to 128 characters: ASCII letters, digits, "
        "underscores, dashes and dots (the MCP specification's tool names)"]}
    assert not Approval.objects.exists()
    body["excluded_tools"] = ["delete_repository", "delete_repository "]
    response = api(developer).post("/api/v1/requests/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["excluded_tools"] == ["delete_repository"]


def test_an_approver_adds_an_exclusion_through_the_api(api, github_request, tech_lead):
    response = api(tech_lead).post(
        f"/api/v1/requests/{github_request.pk}/signoffs/",
        {"role": "tech_lead", "decision": "approve", "exclude_tools": ["delete_repository"]},
        format="json")
    assert response.status_code == 201, response.json()
    github_request.refresh_from_db()
    assert github_request.excluded_tools == ["delete_repository", "push_files"]
