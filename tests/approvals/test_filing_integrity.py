"""Issue 8 on the request form: a wildcard URL, a swapped package and a hidden character are
each explained next to the field that carries them, and nothing is filed."""

import pytest

from approvals.models import Request
from tests.approvals.test_filing import errors_of, form_data

pytestmark = pytest.mark.django_db


def test_a_wildcard_url_is_refused_on_the_pasted_config(client_for, developer):
    response = client_for(developer).post("/requests/new/", form_data(
        server_name="remote-docs", package="", package_registry="", command="", args="",
        config_json='{"type": "http", "url": "https://*.example.com/mcp"}'))
    assert response.status_code == 400
    messages = errors_of(response, "config_json")
    assert any(m.startswith("url:") and "wildcard" in m for m in messages), messages
    assert not Request.objects.exists()


def test_a_bump_running_another_package_is_refused_on_the_arguments(client_for, developer,
                                                                    active_approval):
    response = client_for(developer).post("/requests/new/", form_data(
        kind="version_bump", version="1.2.5", source="", package="", package_registry="",
        args="-y\n@evil/context7@1.2.5"))
    messages = errors_of(response, "args")
    assert any("@evil/context7" in m and "new_server" in m for m in messages), messages
    assert not Request.objects.exists()


def test_a_bidi_override_in_an_argument_is_named_on_the_arguments(client_for, developer):
    response = client_for(developer).post("/requests/new/", form_data(
        args="-y\n@context7/mcp-server@1.2.3\n--out=\u202etxt.exe"))
    messages = errors_of(response, "args")
    assert any("U+202E RIGHT-TO-LEFT OVERRIDE" in m for m in messages), messages
    assert not Request.objects.exists()
