"""server.json in (issue 13, section 2): the filing form filled from a publisher's
server.json (the MCP Registry's ServerDetail) or from a server of a public registry; what
cannot be mapped is shown, bad input is refused naming the field, nothing is filed."""

from __future__ import annotations

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from approvals import server_json_in
from approvals.models import Request
from governance.models import Organisation
from tests.factories import ApprovalFactory
from tests.registry.official_openapi import document, validate_server_detail

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


NPM_PACKAGE = NPM_SERVER_JSON["packages"][0]
REMOTE = {"type": "sse", "url": "https://mcp.example.com/sse"}


def _with_package(**fields):
    return {**NPM_SERVER_JSON, "packages": [{**NPM_PACKAGE, **fields}]}


def _with_remote(**fields):
    return {key: value for key, value in NPM_SERVER_JSON.items() if key != "packages"} | {
        "remotes": [{**REMOTE, **fields}]}


@pytest.mark.parametrize("doc, where, says", [
    (_with_package(transport="stdio"), "packages[0].transport", "must be an object"),
    (_with_package(environmentVariables=5), "packages[0].environmentVariables",
     "must be an array"),
    (_with_package(runtimeArguments=True), "packages[0].runtimeArguments", "must be an array"),
    (_with_package(packageArguments={"a": 1}), "packages[0].packageArguments",
     "must be an array"),
    (_with_package(version=1), "packages[0].version", "must be a string"),
    (_with_package(runtimeHint=5), "packages[0].runtimeHint", "must be a string"),
    (_with_package(environmentVariables=["TOKEN"]), "packages[0].environmentVariables[0]",
     "must be an object"),
    (_with_package(environmentVariables=[{"name": 5}]),
     "packages[0].environmentVariables[0].name", "must be a string"),
    (_with_package(environmentVariables=[{"name": "TOKEN", "isSecret": "yes"}]),
     "packages[0].environmentVariables[0].isSecret", "must be true or false"),
    (_with_package(packageArguments=[{"type": "named", "name": "--x", "value": 3}]),
     "packages[0].packageArguments[0].value", "must be a string"),
    (_with_remote(headers=5), "remotes[0].headers", "must be an array"),
    (_with_remote(variables=[1, 2]), "remotes[0].variables", "must be an object"),
    (_with_remote(variables={"region": "eu"}), "remotes[0].variables.region",
     "must be an object"),
    (_with_remote(type=["sse"]), "remotes[0].type", "must be a string"),
    ({**NPM_SERVER_JSON, "packages": "npm"}, "packages", "must be an array"),
    ({**NPM_SERVER_JSON, "packages": [NPM_PACKAGE, "pypi"]}, "packages[1]", "must be an object"),
    ({**NPM_SERVER_JSON, "repository": "https://github.com/acme/weather-mcp"}, "repository",
     "must be an object"),
    ({**NPM_SERVER_JSON, "repository": {"url": "https://github.com/a/b", "subfolder": 5}},
     "repository.subfolder", "must be a string"),
    ({**NPM_SERVER_JSON, "name": 5}, "name", "must be a string"),
])
def test_a_field_of_the_wrong_type_is_refused_naming_it_and_nothing_is_filled(doc, where, says):
    reading = server_json_in.read_server_detail(doc)

    assert reading.problems == {where: [says]}
    assert reading.initial == {}


def test_a_document_wrong_everywhere_is_refused_with_the_first_problems():
    doc = _with_package(environmentVariables=[{"name": i} for i in range(50)])

    problems = server_json_in.read_server_detail(doc).problems

    assert len(problems) == server_json_in.MAX_SHAPE_PROBLEMS + 1
    assert "packages[0].environmentVariables[9].name" in problems
    assert "fix these first" in problems["server.json"][0]


# Strings the mapping reacts to, and others; any JSON value around them.
WORDS = st.sampled_from(["", "stdio", "sse", "streamable-http", "named", "positional", "npm",
                         "pypi", "oci", "1.0.0", "--flag", "{region}", "TOKEN", "${X}"])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | WORDS
    | st.text(alphabet="aZ9-_./{}$ ", max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(WORDS, inner, max_size=3),
    max_leaves=12)


def _fields(*schemas, extra=()):
    """Some of the properties the official document gives these schemas, any values."""
    components = document()["components"]["schemas"]
    keys = sorted({key for name in schemas for key in components[name]["properties"]}
                  | set(extra))
    return st.dictionaries(st.sampled_from(keys), JSON_VALUES, max_size=4)


# Not a deadline (the machine is shared): the property is "never a crash", not speed.
RELAXED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RELAXED
@given(top=_fields("ServerDetail"), package=_fields("Package"),
       item=_fields("Input", extra=("variables", "name", "type", "valueHint")),
       remote=_fields("StreamableHttpTransport", extra=("variables",)))
@example(top={}, package={"transport": "stdio"}, item={}, remote={})
@example(top={"packages": []}, package={}, item={}, remote={"variables": [1, 2]})
def test_any_json_in_any_field_is_read_or_refused_never_a_crash(top, package, item, remote):
    doc = {**NPM_SERVER_JSON,
           "packages": [{**NPM_PACKAGE, **package,
                         "environmentVariables": [{"name": "A", **item}],
                         "packageArguments": [{"type": "named", "name": "--a", **item}]}],
           "remotes": [{**REMOTE, "headers": [{"name": "A", **item}], **remote}]}
    doc.update(top)

    reading = server_json_in.parse_server_json(json.dumps(doc))

    if reading.problems:
        assert all(isinstance(m, str) for ms in reading.problems.values() for m in ms)
    else:
        assert reading.initial["kind"] == "new_server"
        assert "package" in reading.initial or "config_json" in reading.initial


@RELAXED
@given(JSON_VALUES)
def test_any_json_document_is_read_or_refused_never_a_crash(value):
    reading = server_json_in.parse_server_json(json.dumps(value))

    assert reading.problems or reading.initial["kind"] == "new_server"


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


def test_a_paste_of_the_wrong_shape_says_which_field_and_files_nothing(client_for, developer):
    response = client_for(developer).post("/requests/new/", {
        "read_server_json": "1",
        "sj-server_json": json.dumps(_with_package(transport="stdio"))})

    assert response.status_code == 200
    assert "packages[0].transport: must be an object" in response.content.decode()
    assert "package" not in response.context["form"].initial
    assert not Request.objects.exists()


def test_an_empty_paste_asks_for_one(client_for, developer):
    response = client_for(developer).post("/requests/new/", {"read_server_json": "1"})

    assert "Paste a server.json first." in response.content.decode()


class _PublicRegistry(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path == "/v0.1/servers/io.github.acme%2Fweather/versions/latest":
            status, body = 200, json.dumps({"server": NPM_SERVER_JSON, "_meta": {}})
        elif self.path == "/v0.1/servers/io.github.acme%2Fodd/versions/latest":
            body = json.dumps({"server": _with_remote(headers=5), "_meta": {}})
            status = 200
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
    ("io.github.acme/odd", "remotes[0].headers: must be an array"),
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
