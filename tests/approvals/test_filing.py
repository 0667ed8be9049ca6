"""The request form: every rule's message next to its field, what was typed kept."""

import pytest

from approvals import services as workflow
from approvals.models import Request

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "kind": "new_server", "server_name": "context7", "version": "1.2.3",
        "source": "https://github.com/context7/mcp-server", "package": "@context7/mcp-server",
        "package_registry": "npm", "proposed_data_scope": "PUBLIC",
        "use_case": "Documentation lookup.", "command": "npx",
        "args": "-y\n@context7/mcp-server@1.2.3", "env": "", "config_json": "",
        "notes": "", "what_changed": "",
    }
    data.update(overrides)
    return data


def errors_of(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def test_filing_a_new_server_redirects_to_its_page(client_for, developer):
    response = client_for(developer).post("/requests/new/", form_data())
    request = Request.objects.get(server__name="context7")
    assert response.status_code == 302
    assert response["Location"] == f"/requests/{request.pk}/"
    assert request.requester == developer
    assert request.config == {"command": "npx", "args": ["-y", "@context7/mcp-server@1.2.3"],
                              "env": {}}


@pytest.mark.parametrize("version, words", [
    ("latest", "moving tag"), ("^1.2.0", "range"), ("1.x", "wildcard"), ("", "required"),
    ("main", "moving tag"), ("1.2", "release line"),
])
def test_bad_version_is_explained_next_to_the_field_and_input_kept(client_for, developer,
                                                                   version, words):
    response = client_for(developer).post("/requests/new/", form_data(version=version))
    assert response.status_code == 400
    assert any(words in e for e in errors_of(response, "version"))
    html = response.content.decode()
    assert 'value="Documentation lookup.' in html or "Documentation lookup." in html
    assert 'id="id_version_error"' in html
    assert not Request.objects.exists()


def test_args_pinning_another_version_point_at_the_arguments(client_for, developer):
    response = client_for(developer).post("/requests/new/", form_data(
        args="-y\n@context7/mcp-server@1.2.0"))
    assert any("must be the same" in e for e in errors_of(response, "args"))


def test_a_secret_in_env_is_refused_on_the_env_field(client_for, developer):
    response = client_for(developer).post("/requests/new/", form_data(
        env="DB_HOST=replica.internal\nDB_PASS=hunter2-very-secret"))
    messages = errors_of(response, "env")
    assert any(m.startswith("DB_PASS:") and "placeholder" in m for m in messages)
    assert "DB_HOST=replica.internal" in response.content.decode()


def test_pasted_json_config_is_validated_and_errors_land_on_it(client_for, developer):
    client = client_for(developer)
    response = client.post("/requests/new/", form_data(command="", args="",
                                                       config_json="{not json"))
    assert any("not valid JSON" in e for e in errors_of(response, "config_json"))
    response = client.post("/requests/new/", form_data(
        command="", args="", config_json='{"url": "https://mcp.example.com"}'))
    assert any("type" in e for e in errors_of(response, "config_json"))
    response = client.post("/requests/new/", form_data(
        server_name="remote-docs", command="", args="",
        config_json='{"type": "http", "url": "https://mcp.example.com/mcp"}'))
    assert response.status_code == 302
    assert Request.objects.get(server__name="remote-docs").config["type"] == "http"


def test_restricted_scope_is_recorded_and_denied_at_once(client_for, developer):
    response = client_for(developer).post("/requests/new/", form_data(
        proposed_data_scope="RESTRICTED"), follow=True)
    request = Request.objects.get()
    assert request.status == "denied"
    assert "RESTRICTED data may not be reached" in response.content.decode()


def test_second_open_request_links_to_the_first(client_for, developer, file):
    first = file()
    response = client_for(developer).post("/requests/new/", form_data())
    html = response.content.decode()
    assert f'href="/requests/{first.pk}/">Open the existing request' in html
    assert errors_of(response, "version")


def test_a_duplicate_of_someone_elses_request_points_to_the_server_page(
        client_for, other_developer, file):
    first = file()  # filed by dev
    client = client_for(other_developer)
    response = client.post("/requests/new/", form_data())
    html = response.content.decode()
    assert errors_of(response, "version")
    assert f"/requests/{first.pk}/" not in html  # a page that would answer 404 to them
    assert 'href="/servers/context7/">See the open requests for this server' in html
    assert client.get("/servers/context7/").status_code == 200


def test_version_bump_form_is_prefilled_from_the_active_approval(client_for, developer,
                                                                 active_approval):
    response = client_for(developer).get("/requests/new/",
                                         {"server": "context7", "kind": "version_bump"})
    form = response.context["form"]
    assert form.initial["kind"] == "version_bump"
    assert form.initial["server_name"] == "context7"
    assert form.initial["command"] == "npx"
    assert "@context7/mcp-server@1.2.3" in form.initial["args"]
    assert "version" not in form.initial
    assert "Version bump routes" in response.content.decode()


def test_renewal_keeps_the_approved_version(client_for, developer, active_approval):
    client = client_for(developer)
    response = client.get("/requests/new/", {"server": "context7", "kind": "renewal"})
    assert response.context["form"].initial["version"] == "1.2.3"
    data = form_data(kind="renewal", version="1.2.3")
    assert client.post("/requests/new/", data).status_code == 302
    assert Request.objects.get().kind == "renewal"


def test_denial_history_is_shown_before_filing_again(client_for, developer, file, tech_lead):
    denied = file()
    workflow.sign_off(actor=tech_lead, request=denied, role="tech_lead", decision="deny",
                      reason="Sends queries to a third party.", alternative="Use docs-search.")
    client = client_for(developer)
    html = client.get("/requests/new/", {"server": "context7"}).content.decode()
    assert "was denied before" in html
    assert "Sends queries to a third party." in html and "Use docs-search." in html
    response = client.post("/requests/new/", form_data(version="1.2.4",
                                                       args="-y\n@context7/mcp-server@1.2.4"))
    assert any("Say what has changed" in e for e in errors_of(response, "what_changed"))
    response = client.post("/requests/new/", form_data(
        version="1.2.4", args="-y\n@context7/mcp-server@1.2.4",
        what_changed="Now runs against a local mirror."))
    assert response.status_code == 302


def test_look_up_shows_the_denials_and_keeps_what_was_typed_without_filing(
        client_for, developer, file, tech_lead):
    denied = file()
    workflow.sign_off(actor=tech_lead, request=denied, role="tech_lead", decision="deny",
                      reason="Sends queries to a third party.", alternative="Use docs-search.")
    response = client_for(developer).post("/requests/new/", {
        "lookup": "1", "kind": "new_server", "server_name": "context7",
        "use_case": "Docs, but local.", "version": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sends queries to a third party." in html
    assert "Docs, but local." in html
    assert not response.context["form"].is_bound
    assert Request.objects.count() == 1
