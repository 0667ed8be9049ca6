"""Bad input to the pages gets a clear page or a message on the field, never a 500: the NUL
character in a path, a query or a form (PostgreSQL refuses it in text), a pasted config
nested deeper than INPUT_MAX_DEPTH."""

import json

import pytest

from approvals.models import Request
from tests.approvals.test_filing import errors_of, form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", [
    "/servers/%00/",
    "/servers/context7%00/",
    "/requests/new/?server=%00",
    "/requests/new/?server=context7&kind=%00",
    "/requests/mine/?status=%00",
    "/queue/?assignee=%00",
    "/audit/?actor=%00",
    "/audit/?id=1%00",
    "/?search=%00",
    "/exports/latest/managed-mcp.json%00",
])
def test_a_nul_character_in_the_address_answers_a_clear_400_page(client_for, security, path,
                                                                 active_approval):
    response = client_for(security).get(path)
    assert response.status_code == 400
    html = response.content.decode()
    assert "This request cannot be answered" in html
    assert "NUL character" in html
    assert 'href="/queue/"' in html  # the page of a signed-in user, with the navigation


def test_the_400_page_names_the_parameter(client_for, developer):
    html = client_for(developer).get("/requests/new/?server=%00").content.decode()
    assert "The parameter server contains a NUL character" in html


@pytest.mark.parametrize("field", ["server_name", "use_case", "version", "args"])
def test_a_nul_character_in_a_form_field_is_refused_on_that_field(client_for, developer,
                                                                  field):
    value = {"args": "-y\n@context7/mcp-server@1.2.3\x00"}.get(field, "context7\x00")
    response = client_for(developer).post("/requests/new/", form_data(**{field: value}))
    assert response.status_code == 400
    assert any("Null characters are not allowed" in e for e in errors_of(response, field))
    assert not Request.objects.exists()


def test_a_nul_character_in_a_looked_up_name_is_refused_on_the_field(client_for, developer):
    response = client_for(developer).post("/requests/new/", form_data(
        server_name="\x00", lookup="1"))
    assert response.status_code == 200
    assert not Request.objects.exists()


def test_a_pasted_config_nested_a_thousand_deep_is_refused_on_the_field(client_for,
                                                                        developer):
    deep = '{"command": ' + "[" * 1000 + "]" * 1000 + "}"
    response = client_for(developer).post("/requests/new/", form_data(
        command="", args="", config_json=deep))
    assert response.status_code == 400
    assert errors_of(response, "config_json") == [
        "this JSON is nested deeper than 32 levels (INPUT_MAX_DEPTH)"]
    assert not Request.objects.exists()


def test_a_pasted_config_over_the_depth_limit_names_where(client_for, developer):
    config = {"command": "npx", "args": ["-y", "@context7/mcp-server@1.2.3"],
              "env": {"DEEP": json.loads("[" * 40 + "]" * 40)}}
    response = client_for(developer).post("/requests/new/", form_data(
        command="", args="", config_json=json.dumps(config)))
    assert errors_of(response, "config_json") == [
        "env: is nested deeper than 32 levels (INPUT_MAX_DEPTH)"]


def test_a_nul_escape_in_a_pasted_config_is_refused_naming_where(client_for, developer):
    config = {"command": "npx", "args": ["-y", "@context7/mcp-server@1.2.3"],
              "env": {"MODE": "read\u0000only"}}
    response = client_for(developer).post("/requests/new/", form_data(
        command="", args="", config_json=json.dumps(config)))
    assert errors_of(response, "config_json") == [
        "env.MODE: contains a NUL character (\\u0000), which no text may hold"]
    assert not Request.objects.exists()

