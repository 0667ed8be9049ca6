"""SPEC §4 rule 12 through the workflow service: the registry YAML names the package the
allowlist pins, and a renewal re-certifies what is approved, transport included."""

import pytest
import yaml

from approvals import services as workflow
from governance.errors import InvalidInput
from registry.services import render_files
from tests.approvals.services.helpers import approve_new_server
from tests.factories import stdio_config

pytestmark = pytest.mark.django_db


def test_an_approval_names_the_package_its_config_runs_when_the_request_named_none(
        file, tech_lead, security, developer):
    request = file(server_name="db-tools", package="", package_registry="",
                   config=stdio_config("@company/db-tools", "1.2.3"))
    approve_new_server(request, tech_lead, security)
    request.server.refresh_from_db()
    assert (request.server.package_registry, request.server.package) == (
        "npm", "@company/db-tools")
    registry = yaml.safe_load(render_files(only=("mcp-registry.yaml",))[0]["mcp-registry.yaml"])
    entry = next(e for e in registry["approved"] if e["name"] == "db-tools")
    assert entry["npm_package"] == "@company/db-tools"
    with pytest.raises(InvalidInput) as refused:
        workflow.file_request(actor=developer, kind="version_bump", server_name="db-tools",
                              version="1.2.4", config=stdio_config("@evil/db-tools", "1.2.4"))
    assert "config.args" in refused.value.errors


def test_a_renewal_cannot_change_the_transport(file, developer, active_approval):
    with pytest.raises(InvalidInput) as refused:
        workflow.file_request(actor=developer, kind="renewal", server_name="context7",
                              config={"type": "http", "url": "https://mcp.context7.com/mcp"})
    assert "version_bump" in refused.value.errors["config.type"][0]
    renewal = workflow.file_request(actor=developer, kind="renewal", server_name="context7")
    assert renewal.config == active_approval.config
