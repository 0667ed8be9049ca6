"""Top-level routes. Each app keeps its own urls module: sign-in, sign-out and API tokens
(accounts.urls), the notification list (notifications.urls), the audit trail (audit.urls),
the export pages (registry.urls), the catalog, requests, the queue and the dashboard
(approvals.urls), the recertification campaigns (campaigns.urls); the HTTP API of every
app (governance.api_urls) and the health checks (governance.health_urls)."""

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
    path("", include("audit.urls")),
    path("", include("registry.urls")),
    path("", include("campaigns.urls")),
    path("", include("approvals.urls")),
]
