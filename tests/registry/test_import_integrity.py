"""Issue 8 through the importer and the admin: a registry file cannot bring in a pattern or
a hidden character, nor swap the package of an approved server; neither can an admin edit
of the catalog entry. Each refusal names the entry and the field, and changes nothing."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from approvals.models import Request
from registry.models import Approval, Server

pytestmark = pytest.mark.django_db

TEMPLATE = Path(__file__).resolve().parents[2] / "registry" / "data" / "mcp-registry-template.yaml"
CONTEXT7_ARGS = 'args: ["-y", "@context7/mcp-server@1.2.3"]'
REMOTE_ENTRY = '''
  - name: remote-docs
    version: "1.0.0"
    source: "https://github.com/x/remote-docs"
    approved_by: "john.doe@company.com"
    approved_date: "2026-01-15"
    expires: "2026-07-15"
    data_scope: PUBLIC
    risk: LOW
    config:
      type: http
      url: "URL"
'''


def import_fails(tmp_path, text):
    path = tmp_path / "registry.yaml"
    path.write_text(text)
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_registry", str(path), stdout=StringIO(), stderr=err)
    return err.getvalue()


def with_remote(url):
    return TEMPLATE.read_text().replace("approved:\n", "approved:\n" + REMOTE_ENTRY.replace(
        "URL", url), 1)


@pytest.mark.parametrize("url", ["https://*/*", "https://*.example.com/mcp"])
def test_an_imported_wildcard_url_is_refused_with_its_entry_and_field(tmp_path, url):
    err = import_fails(tmp_path, with_remote(url))
    assert "approved[0] (remote-docs).config.url: '*' is a wildcard" in err, err
    assert not Server.objects.exists()


def test_an_imported_concrete_url_is_accepted(tmp_path):
    path = tmp_path / "registry.yaml"
    path.write_text(with_remote("https://mcp.example.com/mcp"))
    call_command("import_registry", str(path), stdout=StringIO())
    assert Approval.objects.get(server__name="remote-docs").config["url"] == (
        "https://mcp.example.com/mcp")


def test_an_imported_hidden_character_is_refused_with_its_entry_and_field(tmp_path):
    text = TEMPLATE.read_text().replace('npm_package: "@context7/mcp-server"',
                                        'npm_package: "@context7/mcp\u200b-server"', 1)
    err = import_fails(tmp_path, text)
    assert "approved[0] (context7).npm_package: contains U+200B ZERO WIDTH SPACE" in err, err


def test_an_imported_entry_whose_args_run_another_package_is_refused(tmp_path):
    text = TEMPLATE.read_text().replace(CONTEXT7_ARGS, 'args: ["-y", "@evil/context7@1.2.3"]')
    err = import_fails(tmp_path, text)
    assert "approved[0] (context7).config.args: the args run @evil/context7" in err, err


def test_an_import_cannot_swap_the_package_of_an_approved_server(tmp_path):
    call_command("import_registry", str(TEMPLATE), stdout=StringIO())
    swapped = TEMPLATE.read_text().replace('version: "1.2.3"', 'version: "1.2.5"', 1).replace(
        'npm_package: "@context7/mcp-server"', 'npm_package: "@evil/context7"', 1).replace(
        CONTEXT7_ARGS, 'args: ["-y", "@evil/context7@1.2.5"]')
    err = import_fails(tmp_path, swapped)
    assert "approved[0] (context7).npm_package" in err and "another server" in err, err
    assert Approval.objects.get(server__name="context7", status="active").version == "1.2.3"
    assert Server.objects.get(name="context7").package == "@context7/mcp-server"


def test_an_import_cannot_rewrite_what_an_approved_server_runs(tmp_path):
    """internal-db-readonly names no package: the config it was approved with is its
    identity, so the same version running another package is refused."""
    call_command("import_registry", str(TEMPLATE), stdout=StringIO())
    text = TEMPLATE.read_text().replace('args: ["-y", "@company/db-mcp@2.1.0"]',
                                        'args: ["-y", "@evil/db-mcp@2.1.0"]')
    err = import_fails(tmp_path, text)
    assert "approved[2] (internal-db-readonly).config.args" in err, err
    assert Approval.objects.get(server__name="internal-db-readonly").config["args"][1] == (
        "@company/db-mcp@2.1.0")


def test_an_imported_pending_bump_cannot_swap_the_package(tmp_path):
    call_command("import_registry", str(TEMPLATE), stdout=StringIO())
    bump = '''
  - name: context7
    kind: version_bump
    version: "1.2.5"
    requested_by: "dev@company.com"
    requested_date: "2026-03-05"
    use_case: "Patch."
    proposed_data_scope: PUBLIC
    status: under_review
    expected_decision: "2026-03-20"
    config:
      command: npx
      args: ["-y", "@evil/context7@1.2.5"]
'''
    text = TEMPLATE.read_text().replace("pending_review:\n", "pending_review:\n" + bump, 1)
    err = import_fails(tmp_path, text)
    assert "pending_review[0] (context7).config.args" in err, err
    assert not Request.objects.filter(server__name="context7").exists()


def test_the_admin_cannot_point_an_approved_server_at_another_package(client, admin_user,
                                                                      active_approval):
    server = active_approval.server
    client.force_login(admin_user)
    url = reverse("admin:registry_server_change", args=[server.pk])
    data = {"name": server.name, "source": server.source, "package_registry": "npm",
            "package": "@evil/context7", "created_at_0": server.created_at.date().isoformat(),
            "created_at_1": "00:00:00"}
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["package"]
    assert "@context7/mcp-server" in errors[0] and "@evil/context7" in errors[0]
    server.refresh_from_db()
    assert server.package == "@context7/mcp-server"
    response = client.post(url, {**data, "package": "@context7/mcp-server",
                                 "source": "https://github.com/context7/mcp-server2"})
    assert response.status_code == 302
    server.refresh_from_db()
    assert server.source == "https://github.com/context7/mcp-server2"


def test_the_admin_refuses_a_hidden_character_in_the_package(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("admin:registry_server_add"), {
        "name": "docs", "source": "internal", "package_registry": "npm",
        "package": "@x/\u202edocs", "created_at_0": "2026-01-01", "created_at_1": "00:00:00"})
    assert response.status_code == 200
    assert "U+202E" in response.context["adminform"].form.errors["package"][0]
    assert not Server.objects.filter(name="docs").exists()
