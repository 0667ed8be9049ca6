"""The HTTP API (SPEC §7), mounted at /api/: version 1 under v1/, the OpenAPI schema at
schema/ and the interactive docs (assets served locally by the sidecar) at docs/."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from approvals.api.requests import RequestViewSet
from approvals.api.servers import ServerViewSet
from audit.api import AuditList, ChainHead
from campaigns.api import CampaignList
from registry.api.check import CheckView
from registry.api.client import HookDownload
from registry.api.exports import ExportViewSet, LatestExportFile, LatestExportSignature

from .api.errors import not_found

router = DefaultRouter()
router.include_root_view = False
router.register("servers", ServerViewSet, basename="api-server")
router.register("requests", RequestViewSet, basename="api-request")
router.register("exports", ExportViewSet, basename="api-export")

urlpatterns = [
    path("v1/exports/latest/<str:filename>.sig", LatestExportSignature.as_view(),
         name="api-export-latest-sig"),
    path("v1/exports/latest/<str:filename>", LatestExportFile.as_view(),
         name="api-export-latest"),
    path("v1/check", CheckView.as_view(), name="api-check"),
    path("v1/audit/", AuditList.as_view(), name="api-audit"),
    path("v1/audit/chain-head", ChainHead.as_view(), name="api-audit-chain-head"),
    path("v1/campaigns/", CampaignList.as_view(), name="api-campaigns"),
    path("v1/client/mcp_governance_hook.py", HookDownload.as_view(), name="api-hook"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^.*$", not_found),
]
