"""Exports for the platform and security teams: latest files, history, diffs."""

import json

import pytest

from registry import services
from registry.models import ExportSnapshot
from tests.factories import ApprovalFactory

pytestmark = pytest.mark.django_db


def test_platform_downloads_managed_mcp_json_with_active_approvals(client_for, platform,
                                                                   active_approval):
    response = client_for(platform).get("/exports/latest/managed-mcp.json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="managed-mcp.json"'
    servers = json.loads(response.content)["mcpServers"]
    assert servers["context7"]["args"] == ["-y", "@context7/mcp-server@1.2.3"]


def test_every_export_file_downloads_and_unknown_names_are_404(client_for, security,
                                                               active_approval):
    client = client_for(security)
    for name in ExportSnapshot.FILES:
        assert client.get(f"/exports/latest/{name}").status_code == 200
    assert client.get("/exports/latest/secrets.txt").status_code == 404


def test_developer_cannot_download_exports(client_for, developer, active_approval):
    response = client_for(developer).get("/exports/latest/managed-mcp.json")
    assert response.status_code == 403


def test_exports_page_lists_snapshots_with_sha_and_cause(client_for, platform,
                                                         django_assert_max_num_queries):
    ApprovalFactory(server__name="first")
    one = services.build_export(cause="first build")
    client = client_for(platform)
    with django_assert_max_num_queries(12) as few:
        client.get("/exports/")
    for i in range(8):
        ApprovalFactory(server__name=f"later-{i}")
        services.build_export(cause=f"build {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get("/exports/").content.decode()
    assert "first build" in html and "build 7" in html
    assert one.sha256[:10] in html
    assert "Download managed-mcp.json" in html


def test_diff_between_two_snapshots_is_readable(client_for, platform):
    ApprovalFactory(server__name="alpha")
    a = services.build_export(cause="alpha")
    ApprovalFactory(server__name="beta")
    services.build_export(cause="beta")
    ApprovalFactory(server__name="gamma")
    c = services.build_export(cause="gamma")
    response = client_for(platform).get("/exports/diff/", {"a": a.pk, "b": c.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="add"' in html and "beta" in html and "gamma" in html
    detail = client_for(platform).get(f"/exports/{c.pk}/").content.decode()
    assert c.sha256 in detail and "gamma" in detail


def test_diff_with_a_missing_snapshot_says_so(client_for, platform):
    response = client_for(platform).get("/exports/diff/", {"a": 998, "b": 999})
    assert response.status_code == 400
    assert "there is no snapshot #998" in response.content.decode()
