"""The MCP Registry API v0.1 (SPEC §6.4): errors in the document's own form, the writes it
makes optional (501), ETag/304, CORS, read access (open or token) and the namespace; every
response validated against the official OpenAPI document."""

import base64
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.services import issue_token
from governance.models import Organisation
from registry import services
from registry.models import Approval
from tests.factories import ApprovalFactory

from .official_openapi import validate
from .registry_api_helpers import LIST, get, names, versions_path


@pytest.mark.parametrize("path", [
    "/v0.1/servers/com.acme%2Fnothing/versions",
    "/v0.1/servers/org.other%2Fcontext7/versions",
    "/v0.1/servers/com.acme%2Fcontext7/versions/9.9.9",
])
def test_unknown_server_or_version_answers_404_in_the_documents_form(org, reader, path):
    ApprovalFactory(server__name="context7")

    response = reader.get(path)

    assert response.status_code == 404
    validate(response, path.replace("%2F", "/"))


def _cursor(content) -> str:
    """A cursor as the registry writes them (base64url of JSON), holding `content`."""
    return base64.urlsafe_b64encode(json.dumps(content).encode()).decode().rstrip("=")


@pytest.mark.parametrize("params, names_field", [
    ({"limit": "0"}, "limit"), ({"limit": "abc"}, "limit"), ({"limit": "101"}, "limit"),
    ({"limit": "１０"}, "limit"),
    ({"cursor": "not-a-cursor"}, "cursor"), ({"cursor": "WzEsMl0"}, "cursor"),
    # Cursors of the registry's form whose content it never writes: each would otherwise
    # reach the database (PostgreSQL refuses NUL in text; ids are bigints).
    ({"cursor": _cursor(["context\u0000", 1])}, "cursor"),
    ({"cursor": _cursor(["\ud800", 1])}, "cursor"),
    ({"cursor": _cursor(["x" * 65, 1])}, "cursor"),
    ({"cursor": _cursor(["context7", 10**30])}, "cursor"),
    ({"cursor": _cursor(["context7", -5])}, "cursor"),
    ({"cursor": _cursor(["context7", 1.5])}, "cursor"),
    ({"cursor": _cursor({"context7": 1})}, "cursor"),
    ({"updated_since": "yesterday"}, "updated_since"),
    ({"updated_since": "2026-03-05T00:00:00"}, "updated_since"),
    ({"updated_since": "2025-13-45T00:00:00Z"}, "updated_since"),
    # Instants outside the calendar in UTC.
    ({"updated_since": "0001-01-01T00:00:00+14:00"}, "updated_since"),
    ({"updated_since": "9999-12-31T23:59:59-14:00"}, "updated_since"),
    ({"include_deleted": "maybe"}, "include_deleted"),
])
def test_bad_parameters_answer_400_naming_the_parameter(org, reader, params, names_field):
    response = reader.get(LIST, params)

    assert response.status_code == 400
    assert validate(response, LIST)["error"].startswith(f"{names_field}:")
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path, params, names_field", [
    (LIST, {"search": "context\x007"}, "search"),
    (LIST, {"version": "1.2.3\x00"}, "version"),
    (LIST, {"cursor\x00": "x"}, "cursor\\u0000"),
    ("/v0.1/servers/com.acme%2Fcontext7%00/versions", {}, "path"),
    ("/v0.1/servers/com.acme%2Fcontext7/versions/1.2.3%00", {}, "path"),
    ("/v0.1/servers/com.acme%2Fcontext7/versions/latest", {"include_deleted": "\x00"},
     "include_deleted"),
])
def test_a_nul_character_answers_400_in_the_documents_form(org, reader, path, params,
                                                           names_field):
    """PostgreSQL refuses NUL in text: refused before anything is looked up, in this API's
    error form with the CORS headers its browser clients need to read it."""
    ApprovalFactory(server__name="context7", version="1.2.3")

    response = reader.get(path, params)

    assert response.status_code == 400
    error = validate(response, path)["error"]
    assert error.startswith(f"{names_field}: ")
    assert "NUL character" in error
    assert response["Access-Control-Allow-Origin"] == "*"


def test_unknown_path_under_v01_is_a_json_404(org, reader):
    response = reader.get("/v0.1/nothing")

    assert response.status_code == 404
    assert response.json() == {"error": "Not found: /v0.1/nothing"}


@pytest.mark.parametrize("method, path", [
    ("post", "/v0.1/publish"),
    ("put", "/v0.1/servers/com.acme/context7/versions/1.2.3"),
    ("delete", "/v0.1/servers/com.acme/context7/versions/1.2.3"),
])
def test_writes_answer_501_and_change_nothing(org, method, path):
    approval = ApprovalFactory(server__name="context7")
    client = Client(enforce_csrf_checks=True)

    response = getattr(client, method)(path, data="{}", content_type="application/json")

    assert response.status_code == 501
    validate(response, path, method)
    approval.refresh_from_db()
    assert approval.status == Approval.Status.ACTIVE


def test_etag_gives_304_until_the_registry_changes(org, reader, security):
    approval = ApprovalFactory(server__name="context7")
    first = get(reader, LIST)

    again = reader.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"])
    services.revoke_approval(actor=security, approval=approval, reason="Superseded upstream.")
    changed = reader.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    assert changed.status_code == 200 and changed.json()["servers"] == []


def test_cors_lets_browser_clients_read(org, reader):
    ApprovalFactory(server__name="context7")

    response = get(reader, LIST)
    preflight = reader.options(LIST, HTTP_ORIGIN="https://vscode.dev",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert preflight.status_code == 204
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]


class TestReadAccess:
    @pytest.fixture
    def token_org(self, org):
        org.registry_api_access = "token"
        org.save()
        ApprovalFactory(server__name="context7")
        return org

    def test_token_mode_refuses_anonymous_readers(self, token_org, reader):
        response = reader.get(LIST)

        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert "Token" in validate(response, LIST)["error"]

    def test_token_mode_reads_with_a_token(self, token_org, reader, developer):
        _token, key = issue_token(user=developer, name="vscode", days=None)

        response = reader.get(LIST, HTTP_AUTHORIZATION=f"Token {key}")

        assert names(validate(response, LIST)) == ["com.acme/context7"]

    def test_token_mode_refuses_a_wrong_token(self, token_org, reader):
        response = reader.get(LIST, HTTP_AUTHORIZATION="Token " + "a" * 40)

        assert response.status_code == 401
        validate(response, LIST)

    def test_token_mode_reads_with_the_portal_session(self, token_org, client_for, developer):
        response = client_for(developer).get(LIST)

        assert response.status_code == 200

    def test_open_mode_needs_nothing(self, org, reader):
        ApprovalFactory(server__name="context7")

        assert reader.get(LIST).status_code == 200


def test_new_installations_read_access_defaults_to_token(db, settings):
    assert settings.REGISTRY_API_ACCESS == "token"
    assert Organisation.load().registry_api_access == "token"


@pytest.mark.parametrize("namespace", ["acme", "com.acme/x", "Com.Acme", "com..acme", ""])
def test_namespace_must_be_reverse_dns(db, namespace):
    org = Organisation.load()
    org.registry_namespace = namespace

    with pytest.raises(ValidationError) as raised:
        org.full_clean()

    assert "registry_namespace" in raised.value.message_dict


def test_an_approval_through_the_workflow_is_served(org, reader, file, approve):
    approve(file())

    body = get(reader, versions_path("com.acme/context7", "latest")).json()

    assert body["server"]["packages"][0]["identifier"] == "@context7/mcp-server"
    assert body["server"]["packages"][0]["version"] == "1.2.3"


def test_named_routes_reverse_to_the_documents_paths():
    assert reverse("mcp-registry-servers") == "/v0.1/servers"
    assert reverse("mcp-registry-version", kwargs={
        "server_name": "com.acme/context7", "version": "latest"}).startswith("/v0.1/servers/")
