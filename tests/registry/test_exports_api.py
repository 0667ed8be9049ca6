"""The latest export files carry a strong ETag (their sha256) and answer 304 when the
client has them, without building anything."""

import gzip
import json

from registry.models import ExportSnapshot
from registry.services import build_export


def test_platform_downloads_managed_settings_with_a_strong_etag(api, platform,
                                                                active_approval):
    snapshot = build_export(cause="test")
    response = api(platform).get("/api/v1/exports/latest/managed-settings.json")
    assert response.status_code == 200
    assert response["ETag"] == f'"{snapshot.file_sha256["managed-settings.json"]}"'
    document = json.loads(response.content)
    assert document["allowManagedMcpServersOnly"] is True
    assert document["allowedMcpServers"] == [
        {"serverCommand": ["npx", "-y", "@context7/mcp-server@1.2.3"]}]


def test_a_matching_if_none_match_answers_304_without_a_new_snapshot(
        api, platform, active_approval, django_assert_max_num_queries):
    build_export(cause="test")
    client = api(platform)
    etag = client.get("/api/v1/exports/latest/managed-mcp.json")["ETag"]
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/exports/latest/managed-mcp.json",
                              HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert ExportSnapshot.objects.count() == 1


def test_a_client_that_accepts_gzip_gets_the_stored_gzip_bytes_and_304_on_either_etag(
        api, platform, active_approval, django_assert_num_queries):
    snapshot = build_export(cause="test")
    client = api(platform)
    url = "/api/v1/exports/latest/managed-settings.json"
    plain = client.get(url)
    zipped = client.get(url, HTTP_ACCEPT_ENCODING="br, gzip;q=0.8")
    assert zipped.status_code == 200
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content) == plain.content
    assert zipped.content == bytes(snapshot.managed_settings_json_gz)
    sha = snapshot.file_sha256["managed-settings.json"]
    assert zipped["ETag"] == f'"{sha}+gzip"' and plain["ETag"] == f'"{sha}"'
    for etag in (zipped["ETag"], plain["ETag"]):
        # The token with its user's roles, then the registry revision: nothing else.
        with django_assert_num_queries(2):
            again = client.get(url, HTTP_IF_NONE_MATCH=etag, HTTP_ACCEPT_ENCODING="gzip")
        assert again.status_code == 304
    refused = client.get(url, HTTP_ACCEPT_ENCODING="gzip;q=0, identity")
    assert "Content-Encoding" not in refused
    assert refused.content == plain.content


def test_a_snapshot_built_before_gzip_was_kept_is_gzipped_when_served(
        api, platform, active_approval):
    snapshot = build_export(cause="test")
    ExportSnapshot.objects.filter(pk=snapshot.pk).update(managed_mcp_json_gz=b"")
    response = api(platform).get("/api/v1/exports/latest/managed-mcp.json",
                                 HTTP_ACCEPT_ENCODING="gzip")
    assert gzip.decompress(response.content).decode() == snapshot.managed_mcp_json


def test_a_stale_etag_gets_the_new_file(api, platform, active_approval):
    build_export(cause="test")
    response = api(platform).get("/api/v1/exports/latest/mcp-registry.yaml",
                                 HTTP_IF_NONE_MATCH='"0000"')
    assert response.status_code == 200
    assert b"context7" in response.content


def test_developers_cannot_download_exports(api, developer):
    assert api(developer).get("/api/v1/exports/latest/managed-mcp.json").status_code == 403
    assert api(developer).get("/api/v1/exports/").status_code == 403


def test_an_unknown_export_file_is_404(api, platform):
    response = api(platform).get("/api/v1/exports/latest/passwords.txt")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_export_history_lists_hashes_and_detail_has_the_diff(api, security, active_approval):
    snapshot = build_export(cause="test")
    client = api(security)
    listed = client.get("/api/v1/exports/").json()
    assert listed["results"][0]["sha256"] == snapshot.sha256
    assert "diff" not in listed["results"][0]
    detail = client.get(f"/api/v1/exports/{snapshot.pk}/").json()
    assert "+++ b/managed-mcp.json" in detail["diff"]
