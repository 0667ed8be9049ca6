from django.urls import path, re_path

from . import views
from .api import registry_v01

# The MCP Registry API (SPEC §6.4) at the site's root, where clients given the portal's URL
# as their registry look for /v0.1/. A name is `namespace/server`, sent URL-encoded
# (com.acme%2Fcontext7), which arrives decoded.
NAME = r"(?P<server_name>[^/]+/[^/]+)"
registry_api = [
    re_path(r"^v0\.1/servers$", registry_v01.server_list, name="mcp-registry-servers"),
    re_path(rf"^v0\.1/servers/{NAME}/versions$", registry_v01.server_versions,
            name="mcp-registry-versions"),
    re_path(rf"^v0\.1/servers/{NAME}/versions/(?P<version>[^/]+)$",
            registry_v01.server_version, name="mcp-registry-version"),
    re_path(r"^v0\.1/publish$", registry_v01.not_supported),
    re_path(rf"^v0\.1/servers/{NAME}(?:/versions/[^/]+)?/status$", registry_v01.not_supported),
    re_path(r"^v0\.1/", registry_v01.not_found),
]

urlpatterns = [
    *registry_api,
    path("exports/", views.exports, name="exports"),
    path("exports/diff/", views.export_diff, name="export-diff"),
    path("exports/latest/<str:filename>.sig", views.download_latest_signature,
         name="export-latest-sig"),
    path("exports/latest/<str:filename>", views.download_latest, name="export-latest"),
    path("exports/signing-key.pem", views.signing_key_pem, name="export-signing-key"),
    path("exports/signing-keys.json", views.signing_keys_json, name="export-signing-keys"),
    path("exports/<int:pk>/", views.export_detail, name="export-detail"),
]
