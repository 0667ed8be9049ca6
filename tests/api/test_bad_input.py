"""Bad input to the API gets a 400 in SPEC §7's error shape, never a 500: JSON nested
deeper than INPUT_MAX_DEPTH on any POST, and the NUL character (which PostgreSQL refuses in
text) in the path, the query or anywhere in a body."""

import json

import pytest

from approvals.models import Comment, Request
from tests.approvals.test_requests_api import NEW
from tests.factories import stdio_config

# Every endpoint that takes a body, and the method it takes it with.
BODIES = [
    ("post", "/api/v1/requests/"),
    ("patch", "/api/v1/requests/{pk}/"),
    ("post", "/api/v1/requests/{pk}/assign/"),
    ("post", "/api/v1/requests/{pk}/transition/"),
    ("post", "/api/v1/requests/{pk}/assessment/"),
    ("post", "/api/v1/requests/{pk}/signoffs/"),
    ("post", "/api/v1/requests/{pk}/comments/"),
    ("post", "/api/v1/check"),
]


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def send(client, method, path, raw: str):
    return getattr(client, method)(path, data=raw, content_type="application/json")


@pytest.mark.parametrize(("method", "path"), BODIES)
def test_json_nested_a_thousand_deep_answers_400_on_every_body(api, security, file, method,
                                                                path):
    target = file()
    response = send(api(security), method, path.format(pk=target.pk),
                    '{"use_case": ' + nested(1000) + "}")
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["detail"] == "The JSON body is nested deeper than 32 levels (INPUT_MAX_DEPTH)."
    assert body["errors"] == {}


@pytest.mark.parametrize(("method", "path"), BODIES)
def test_json_over_the_depth_limit_names_the_field(api, security, file, method, path):
    target = file()
    response = send(api(security), method, path.format(pk=target.pk),
                    json.dumps({"config": {"env": json.loads(nested(40))}}))
    assert response.status_code == 400, response.content[:300]
    assert response.json()["errors"] == {
        "config": ["is nested deeper than 32 levels (INPUT_MAX_DEPTH)"]}


def test_the_depth_limit_is_a_setting(api, developer, settings):
    settings.INPUT_MAX_DEPTH = 2
    config = {"command": "npx", "args": ["-y", "@context7/mcp-server@1.2.3"], "env": {}}
    response = api(developer).post("/api/v1/requests/", {**NEW, "config": config},
                                   format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "config": ["is nested deeper than 2 levels (INPUT_MAX_DEPTH)"]}
    assert not Request.objects.exists()


def test_a_config_nested_within_the_limit_is_judged_by_the_rules(api, developer):
    config = {**stdio_config("@context7/mcp-server", "1.2.3"),
              "env": {"DEEP": json.loads(nested(25))}}
    response = api(developer).post("/api/v1/requests/", {**NEW, "config": config},
                                   format="json")
    assert response.status_code in (201, 400), response.content[:300]
    assert "nested deeper" not in response.content.decode()


@pytest.mark.parametrize(("field", "value", "where"), [
    ("use_case", "Docs\u0000lookup", "use_case"),
    ("config", {**stdio_config("@context7/mcp-server", "1.2.3"),
                "env": {"MODE": "read\u0000only"}}, "config.env.MODE"),
    ("config", {**stdio_config("@context7/mcp-server", "1.2.3"),
                "env": {"MO\u0000DE": "readonly"}}, "config.env"),
    ("config", {"command": "npx", "args": ["-y", "@context7/mcp-server@1.2.3\u0000"]},
     "config.args[1]"),
])
def test_a_nul_character_in_a_body_answers_400_naming_the_field(api, developer, field,
                                                                 value, where):
    response = api(developer).post("/api/v1/requests/", {**NEW, field: value}, format="json")
    assert response.status_code == 400, response.content[:300]
    errors = response.json()["errors"]
    assert list(errors) == [where]
    assert "NUL character" in errors[where][0]
    assert not Request.objects.exists()


def test_a_nul_character_in_a_comment_answers_400(api, developer, file):
    target = file()
    response = api(developer).post(f"/api/v1/requests/{target.pk}/comments/",
                                   {"body": "see \u0000 here"}, format="json")
    assert response.status_code == 400
    assert "NUL character" in response.json()["errors"]["body"][0]
    assert not Comment.objects.exists()


def test_a_nul_character_in_a_checked_config_answers_400(api, developer, active_approval):
    response = api(developer).post(
        "/api/v1/check", {"mcpServers": {"c\u0000": stdio_config("@x/y", "1.0.0")}},
        format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["mcpServers"]


@pytest.mark.parametrize("path", [
    "/api/v1/servers/%00/",
    "/api/v1/servers/context7%00/",
    "/api/v1/requests/%00/",
    "/api/v1/exports/latest/managed-mcp.json%00",
])
def test_a_nul_character_in_an_api_path_answers_400_in_the_api_shape(api, security, path,
                                                                      active_approval):
    response = api(security).get(path)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert "NUL character" in body["detail"] and body["errors"] == {}


@pytest.mark.parametrize(("path", "param"), [
    ("/api/v1/servers/?search=%00", "search"),
    ("/api/v1/servers/?status=approved&search=a%00b", "search"),
    ("/api/v1/requests/?server=%00", "server"),
    ("/api/v1/audit/?actor=%00", "actor"),
    ("/api/v1/audit/?object_id=1%00", "object_id"),
    ("/api/v1/servers/?%00=1", "\\u0000"),
])
def test_a_nul_character_in_a_query_answers_400_naming_the_parameter(api, security, path,
                                                                      param):
    response = api(security).get(path)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [param]
