"""The exports API (SPEC §7): the snapshot history and the latest export files, served
from the stored snapshot are served from the stored snapshot with a strong ETag (its sha256), so a
deployment pipeline that already has the file gets 304 without anything being rebuilt."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.views import APIView

from accounts.permissions import CanDownloadExports
from governance.api.fields import (
    error_responses,
)

from .. import selectors, services, signatures
from ..models import ExportSnapshot

CONTENT_TYPES = {
    "mcp-registry.yaml": "application/yaml; charset=utf-8",
    "managed-mcp.json": "application/json",
    "managed-settings.json": "application/json",
}


# ─── exports ────────────────────────────────────────────────────────────────────────

SUMMARY_FIELDS = ["id", "created_at", "cause", "sha256", "file_sha256", "valid_until",
                  "previous", "revision"]


class ExportSummarySerializer(serializers.ModelSerializer):
    file_sha256 = serializers.DictField(child=serializers.CharField())

    class Meta:
        model = ExportSnapshot
        fields = SUMMARY_FIELDS


class ExportDetailSerializer(ExportSummarySerializer):
    class Meta(ExportSummarySerializer.Meta):
        fields = [*SUMMARY_FIELDS, "diff"]


@extend_schema_view(
    list=extend_schema(summary="Export history, newest first",
                       responses={200: ExportSummarySerializer(many=True),
                                  **error_responses(403)}),
    retrieve=extend_schema(summary="One export with its diff against the previous one",
                           responses={200: ExportDetailSerializer,
                                      **error_responses(403, 404)}),
)
class ExportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [CanDownloadExports]
    filter_backends = [OrderingFilter]
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        fields = SUMMARY_FIELDS + (["diff"] if self.action == "retrieve" else [])
        return ExportSnapshot.objects.only(*[f for f in fields if f != "previous"],
                                           "previous_id")

    def get_serializer_class(self):
        return ExportDetailSerializer if self.action == "retrieve" else ExportSummarySerializer


def current_snapshot_head() -> selectors.ExportState:
    """What the files are served from, read from one small row (the registry revision, the
    snapshot current for it and its file hashes) without the file bodies; built first when
    it is behind the committed registry or an approval in it has passed its expiry."""
    return services.current_export()


GZIP_SUFFIX = "+gzip"


def _etag_matches(header: str, sha: str) -> bool:
    """Does If-None-Match name this content (as sent plain or gzipped)?"""
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/").strip('"').removesuffix(GZIP_SUFFIX) == sha
               for tag in header.split(","))


def accepts_gzip(header: str) -> bool:
    """Accept-Encoding names gzip (or *) without q=0."""
    for part in header.lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in ("gzip", "*"):
            q = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
            try:
                return float(q) > 0
            except ValueError:
                return False
    return False


class LatestExportFile(APIView):
    permission_classes = [CanDownloadExports]

    @extend_schema(
        summary="The latest export file, with a strong ETag (its sha256)",
        parameters=[
            OpenApiParameter("filename", OpenApiTypes.STR, OpenApiParameter.PATH,
                             enum=list(ExportSnapshot.FILES)),
            OpenApiParameter("If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
                             required=False,
                             description="The ETag you have; 304 when it is still current."),
        ],
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "application/yaml"): OpenApiTypes.OBJECT,
            304: OpenApiResponse(description="Your copy is current."),
            **error_responses(403, 404),
        },
    )
    def get(self, request, filename):
        if filename not in ExportSnapshot.FILES:
            raise NotFound(f"No export file named {filename}; the files are "
                           f"{', '.join(ExportSnapshot.FILES)}.")
        head = current_snapshot_head()
        sha = head.file_sha256[filename]
        # The ETag names the content; its gzip bytes are another representation of it, so
        # they have their own strong ETag, and either one matches either (304).
        if _etag_matches(request.headers.get("If-None-Match", ""), sha):
            response = HttpResponse(status=304)
            response["ETag"] = f'"{sha}"'
        else:
            zipped = accepts_gzip(request.headers.get("Accept-Encoding", ""))
            response = HttpResponse(
                services.export_file_bytes(head, filename, gzip_=zipped),
                content_type=CONTENT_TYPES[filename])
            response["ETag"] = f'"{sha}{GZIP_SUFFIX}"' if zipped else f'"{sha}"'
            if zipped:
                response["Content-Encoding"] = "gzip"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Vary"] = "Accept-Encoding"
        response["Cache-Control"] = "no-cache"
        response["X-Export-Id"] = str(head.snapshot_id)
        return response


class LatestExportSignature(APIView):
    permission_classes = [CanDownloadExports]

    @extend_schema(
        summary="The detached Ed25519 signature of the latest export file (64 raw bytes)",
        description="Verify with `openssl pkeyutl -verify -pubin -inkey signing-key.pem "
                    "-rawin -in FILE -sigfile FILE.sig`; the key is at /exports/signing-key.pem"
                    " (all keys served now, with ids: /exports/signing-keys.json). 404 when "
                    "signing is off.",
        parameters=[OpenApiParameter("filename", OpenApiTypes.STR, OpenApiParameter.PATH,
                                     enum=list(ExportSnapshot.FILES))],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY,
                   **error_responses(403, 404)},
    )
    def get(self, request, filename):
        if filename not in ExportSnapshot.FILES:
            raise NotFound(f"No export file named {filename}; the files are "
                           f"{', '.join(ExportSnapshot.FILES)}.")
        head = current_snapshot_head()
        signed = signatures.file_signature(head, filename)
        if signed is None:
            raise NotFound(signatures.SIGNING_OFF)
        key_id, signature = signed
        response = HttpResponse(signature, content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="{filename}.sig"'
        response["X-Signing-Key-Id"] = key_id
        response["X-Export-Id"] = str(head.snapshot_id)
        response["Cache-Control"] = "no-cache"
        return response
