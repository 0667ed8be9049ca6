"""Top-level routes. Each area keeps its own urls module:
pages of the catalog and exports (registry.urls), requests and the queue (approvals.urls),
sign-in, dashboard and audit (governance.portal_urls), the HTTP API (governance.api_urls),
API tokens (governance.token_urls), health checks (governance.health_urls) and the
notification list (governance.notification_urls)."""

from django.contrib import admin
from django.urls import include, path

# With DEBUG off: a page (or the API's JSON under /api/) and never a traceback; 503 with
# Retry-After when the database is out of reach.
handler500 = "governance.error_pages.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("governance.api_urls")),
    path("", include("governance.health_urls")),
    path("", include("accounts.urls")),
    path("", include("notifications.urls")),
    path("", include("governance.portal_urls")),
    path("", include("audit.urls")),
    path("", include("registry.urls")),
    path("", include("approvals.urls")),
]
