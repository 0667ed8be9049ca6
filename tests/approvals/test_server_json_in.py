"""server.json in (issue 13, section 2): the filing form filled from a publisher's
server.json (the MCP Registry's ServerDetail) or from a server of a public registry; what
cannot be mapped is shown, bad input is refused naming the field, nothing is filed."""

from __future__ import annotations

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from approvals import server_json_in
from approvals.models import Request
from governance.models import Organisation
from tests.factories import ApprovalFactory
from tests.registry.official_openapi import validate_server_detail

NPM_SERVER_JSON = {
    "$schema": "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json",
    "name": "io.github.acme/weather",
    "title": "Weather",
    "description": "Forecasts from the national weather service",
    "repository": {"url": "https://github.com/acme/weather-mcp", "source": "github"},
    "version": "1.0.2",
    "packages": [{
        "registryType": "npm", "registryBaseUrl": "https://npm.example.com",
        "identifier": "@acme/weather-mcp", "version": "1.0.2",
        "transport": {"type": "stdio"},
        "packageArguments": [{"type": "named", "name": "--units", "value": "metric"},
                             {"type": "positional", "valueHint": "region", "isRequired": True}],
        "environmentVariables": [
            {"name": "WEATHER_API_KEY", "isRequired": True, "isSecret": True},
            {"name": "LOG_LEVEL", "value": "info"}],
    }],
}


def test_the_example_is_a_valid_server_json():
    validate_server_detail(NPM_SERVER_JSON)


def test_an_npm_server_json_fills_the_form_and_lists_what_it_could_not_map():
    reading = server_json_in.read_server_detail(NPM_SERVER_JSON)

    assert reading.problems == {}
    initial = reading.initial
    assert initial["kind"] == "new_server" and initial["server_name"] == "weather"
    assert (initial["package_registry"], initial["package"], initial["version"]) == (
        "npm", "@acme/weather-mcp", "1.0.2")
    assert initial["source"] == "https://github.com/acme/weather-mcp"
    assert initial["command"] == "npx"
    assert initial["args"].splitlines() == ["-y", "@acme/weather-mcp@1.0.2", "--units=metric",
                                            "${REGION}"]
    assert initial["env"].splitlines() == ["WEATHER_API_KEY=${WEATHER_API_KEY}",
                                           "LOG_LEVEL=info"]
    unmapped = "\n".join(reading.unmapped)
    assert "registryBaseUrl: https://npm.example.com" in unmapped
    assert "description: Forecasts from the national weather service" in unmapped
    assert "title: not used" in unmapped


def test_pypi_and_oci_packages_get_their_runner():
    pypi = copy.deepcopy(NPM_SERVER_JSON)
    pypi["packages"] = [{"registryType": "pypi", "identifier": "weather-mcp",
                         "version": "2.1.0", "runtimeHint": "uvx",
                         "transport": {"type": "stdio"}}]
    oci = copy.deepcopy(NPM_SERVER_JSON)
    oci["packages"] = [{"registryType": "oci", "identifier": "ghcr.io/acme/weather",
                        "version": "1.0.2", "transport": {"type": "stdio"},
                        "environmentVariables": [{"name": "TOKEN", "isSecret": True}]}]

    assert server_json_in.read_server_detail(pypi).initial["args"] == "weather-mcp==2.1.0"
    initial = server_json_in.read_server_detail(oci).initial
    assert initial["command"] == "docker"
    assert initial["args"].splitlines() == ["run", "-i", "--rm", "-e", "TOKEN",
                                            "ghcr.io/acme/weather:1.0.2"]


def test_a_remote_server_json_fills_the_json_config_with_placeholders():
    remote = {"name": "com.example/tickets", "description": "Tickets", "version": "3.0.0",
              "remotes": [{"type": "streamable-http", "url": "https://mcp.example.com/mcp",
                           "headers": [{"name": "Authorization", "value": "Bearer {token}",
                                        "isSecret": True}]}]}
    validate_server_detail(remote)

    initial = server_json_in.read_server_detail(remote).initial

    assert json.loads(initial["config_json"]) == {
        "type": "http", "url": "https://mcp.example.com/mcp",
        "headers": {"Authorization": "${AUTHORIZATION}"}}
    assert initial["version"] == "3.0.0"


@pytest.mark.parametrize("change, where, says", [
    ({"name": "weather"}, "name", "not a reverse-DNS server name with one slash"),
    ({"name": "io.github.acme/Weather Station"}, "name", "not a reverse-DNS"),
    ({"packages": [{"registryType": "cargo", "identifier": "weather", "version": "1.0.0",
                    "transport": {"type": "stdio"}}]},
     "packages[0].registryType", "unknown registry type 'cargo'"),
    ({"packages": [{"registryType": "npm", "identifier": "@acme/weather-mcp",
                    "version": "^1.0.0", "transport": {"type": "stdio"}}]},
     "packages[0].version", ""),
    ({"packages": [], "remotes": []}, "packages", "neither a package nor a remote"),
])
def test_bad_server_json_is_refused_naming_the_field(change, where, says):
    reading = server_json_in.read_server_detail({**NPM_SERVER_JSON, **change})

    assert where in reading.problems
    assert says in " ".join(reading.problems[where])


@pytest.mark.parametrize("text, says", [
    ("{not json", "is not JSON"),
    ("[1, 2]", "must be a JSON object"),
    ("[" * 200 + "]" * 200, "nested"),
])
def test_malformed_server_json_is_refused(text, says):
    reading = server_json_in.parse_server_json(text)

    assert says in " ".join(reading.problems["server.json"])


def test_the_portals_own_registry_document_reads_back_into_a_request(db, client):
    ApprovalFactory(server__name="context7", server__package="@upstash/context7-mcp",
                    version="1.2.3", config={"command": "npx", "args": [
                        "-y", "@upstash/context7-mcp@1.2.3"], "env": {"KEY": "${KEY}"}})
    org = Organisation.load()
    org.registry_api_access = "open"
    org.save()
    served = client.get("/v0.1/servers/com.example%2Fcontext7/versions/latest").json()

    initial = server_json_in.read_server_detail(served["server"]).initial

    assert initial["server_name"] == "context7"
    assert initial["args"].splitlines() == ["-y", "@upstash/context7-mcp@1.2.3"]
    assert initial["env"] == "KEY=${KEY}"


# ─── the filing page ────────────────────────────────────────────────────────────────


def test_pasting_a_server_json_fills_the_form_and_files_nothing(client_for, developer):
    response = client_for(developer).post("/requests/new/", {
        "read_server_json": "1", "sj-server_json": json.dumps(NPM_SERVER_JSON)})

    assert response.status_code == 200
    assert response.context["form"].initial["package"] == "@acme/weather-mcp"
    page = response.content.decode()
    assert "Filled from the server.json" in page
    assert "registryBaseUrl: https://npm.example.com" in page
    assert not Request.objects.exists()


def test_a_bad_paste_says_what_is_wrong_and_files_nothing(client_for, developer):
    response = client_for(developer).post("/requests/new/", {
        "read_server_json": "1",
        "sj-server_json": json.dumps({**NPM_SERVER_JSON, "name": "weather"})})

    assert response.status_code == 200
    assert "name: &#x27;weather&#x27; is not a reverse-DNS server name" in \
        response.content.decode()
    assert "server_name" not in response.context["form"].initial
    assert not Request.objects.exists()


def test_an_empty_paste_asks_for_one(client_for, developer):
    response = client_for(developer).post("/requests/new/", {"read_server_json": "1"})

    assert "Paste a server.json first." in response.content.decode()


class _PublicRegistry(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path == "/v0.1/servers/io.github.acme%2Fweather/versions/latest":
            status, body = 200, json.dumps({"server": NPM_SERVER_JSON, "_meta": {}})
        elif self.path.startswith("/v0.1/servers/io.github.acme%2Fbroken"):
            status, body = 500, "oops"
        else:
            status, body = 404, json.dumps({"error": "Server not found"})
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def public_registry(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PublicRegistry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.MCP_PUBLIC_REGISTRY_URL = f"http://127.0.0.1:{server.server_address[1]}"
    yield
    server.shutdown()
    server.server_close()


def test_a_public_registry_server_fills_the_form(public_registry, client_for, developer):
    response = client_for(developer).post("/requests/new/", {
        "registry_lookup": "1", "sj-registry_name": "io.github.acme/weather"})

    assert response.context["form"].initial["package"] == "@acme/weather-mcp"
    assert not Request.objects.exists()


@pytest.mark.parametrize("name, says", [
    ("io.github.acme/nothing", "answered 404"),
    ("io.github.acme/broken", "answered HTTP 500"),
    ("weather", "not a reverse-DNS server name"),
])
def test_a_failed_lookup_says_why(public_registry, client_for, developer, name, says):
    response = client_for(developer).post("/requests/new/", {
        "registry_lookup": "1", "sj-registry_name": name})

    assert response.status_code == 200
    assert says in response.content.decode()
    assert not Request.objects.exists()


def test_lookup_without_a_configured_registry_says_so(settings, client_for, developer):
    settings.MCP_PUBLIC_REGISTRY_URL = ""

    response = client_for(developer).post("/requests/new/", {
        "registry_lookup": "1", "sj-registry_name": "io.github.acme/weather"})

    assert "no public registry is configured" in response.content.decode()
