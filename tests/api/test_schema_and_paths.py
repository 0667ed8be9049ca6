"""The API as a whole: unknown paths answer in its JSON shape; the schema and the docs are
for signed-in users and tokens, and are served without the internet."""

import re


def test_unknown_api_paths_answer_json_404(api, developer):
    response = api(developer).get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_schema_and_docs_are_served_without_the_internet(client, developer):
    client.force_login(developer)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/check" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', docs)
    # Swagger UI from the sidecar, and the portal's own readable colours for it.
    assert assets and all(url.startswith("/static/") for url in assets)
    assert any(url.startswith("/static/drf_spectacular_sidecar/") for url in assets)
    assert all(client.get(url).status_code == 200 for url in assets)


def test_schema_and_docs_are_for_signed_in_users_and_tokens(client, api, developer):
    assert client.get("/api/schema/").status_code in (401, 403)
    assert client.get("/api/docs/").status_code in (401, 403)
    assert api(developer).get("/api/schema/").status_code == 200
