"""A real published server inspected for real (issue 14): the reference server
`@modelcontextprotocol/server-everything` installed from the npm registry at 2025.11.25
(the approved version) and 2026.8.31 (a bump), each started over stdio in bubblewrap
with no network and a read-only root, and listed with the official Python SDK. The two
differ in their tools (11 and 13, renamed and added, with annotations): a real diff."""

import shutil

import pytest
from django.utils.html import escape

from approvals import services as workflow
from approvals.models import Inspection
from approvals.services.inspection import run_request_inspection
from governance.policy import capabilities
from tests.factories import ApprovalFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db]

PACKAGE = "@modelcontextprotocol/server-everything"


def config(version):
    return {"command": "npx", "args": ["-y", f"{PACKAGE}@{version}", "stdio"], "env": {}}


@pytest.fixture
def npm_inspector(settings, tmp_path_factory):
    if not shutil.which("bwrap"):
        pytest.fail("bubblewrap is not installed: run .ci/bubblewrap.sh")
    if not shutil.which("npm"):
        pytest.fail("npm is not installed (Node 20 + npm)")
    settings.INSPECTION_ENABLED = True
    settings.INSPECTION_CACHE_DIR = str(tmp_path_factory.mktemp("inspection-cache"))
    settings.INSPECTION_TIMEOUT = 30
    return settings


def test_server_everything_bump_is_inspected_diffed_and_routed_on_its_tools(
        npm_inspector, developer, security, client_for, django_capture_on_commit_callbacks):
    approved = ApprovalFactory(server__name="everything", server__package=PACKAGE,
                               server__package_registry="npm", version="2025.11.25",
                               config=config("2025.11.25"))
    with django_capture_on_commit_callbacks(execute=False):
        bump = workflow.file_request(actor=developer, kind="version_bump",
                                     server_name="everything", version="2026.8.31",
                                     config=config("2026.8.31"))
    run_request_inspection(bump.pk)

    old = Inspection.objects.get(approval=approved)
    new = Inspection.objects.get(request=bump)
    assert (old.status, new.status) == ("done", "done"), (old.reason, new.reason, new.stderr)
    assert (len(old.tools), len(new.tools)) == (11, 13)
    # The versions the server reports are not the package's: both shown, never routed on.
    assert (old.server_version, new.server_version) == ("1.0.0", "2.0.0")
    assert (old.package_version, new.package_version) == ("2025.11.25", "2026.8.31")
    change = capabilities.diff_tools(old.tools, new.tools)
    assert "get-sum" in change.added and "add" in change.removed
    assert "echo" in [c.name for c in change.changed]      # annotations given since
    tools = {t["name"]: t for t in new.tools}
    assert tools["echo"]["annotations"]["readOnlyHint"] is True
    assert tools["gzip-file-as-resource"]["annotations"]["openWorldHint"] is True

    floor = capabilities.capability_floor(outcome="done", old_tools=old.tools,
                                          new_tools=new.tools, rules=capabilities.DEFAULT_RULES)
    assert floor.level == "major"
    assert "adds the open-world tool gzip-file-as-resource" in floor.reasons
    bump.refresh_from_db()
    assert bump.bump_level == "major"      # the package version says so already
    page = client_for(security).get(bump.get_absolute_url()).content.decode()
    assert escape(f"{new.server_name} 2.0.0") in page
    assert "get-sum" in page and "Tools (13)" in page
