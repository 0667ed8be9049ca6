"""The catalog and exports API (SPEC §7). Reads go through registry.selectors; the latest
export files are served from the stored snapshot with a strong ETag (its sha256), so a
deployment pipeline that already has the file gets 304 without anything being rebuilt."""

from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import CanDownloadExports
from accounts.roles import can_manage_reviews
from approvals.models import Request, RequestStatus
from governance.api.fields import (
    StrictCharField,
    StrictChoiceField,
    StrictSerializer,
    error_responses,
)
from governance.errors import NotAllowed
from governance.models import DataScope, Risk

from . import selectors, services
from .models import Approval, ExportSnapshot, Server

CATALOG_STATUSES = ("active", "pending", "denied", "expired")
CONTENT_TYPES = {
    "mcp-registry.yaml": "application/yaml; charset=utf-8",
    "managed-mcp.json": "application/json",
    "managed-settings.json": "application/json",
}


# ─── catalog ────────────────────────────────────────────────────────────────────────


class ActiveApprovalSerializer(serializers.ModelSerializer):
    config = serializers.JSONField()
    restrictions = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Approval
        fields = ["id", "version", "data_scope", "risk", "rationale", "restrictions", "config",
                  "approved_by", "approved_date", "expires", "status"]


class PendingRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = Request
        fields = ["id", "kind", "version", "status", "expected_decision"]


class DenialSerializer(serializers.ModelSerializer):
    request_id = serializers.IntegerField(source="id")

    class Meta:
        model = Request
        fields = ["request_id", "decided_at", "denial_reason", "denial_alternative"]


# One instance each, so their fields are built once rather than for every server listed.
ACTIVE_APPROVAL = ActiveApprovalSerializer()
DENIAL = DenialSerializer()


class ServerSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    active_approval = serializers.SerializerMethodField()
    pending_requests = PendingRequestSerializer(source="open_requests", many=True)
    denial = serializers.SerializerMethodField()

    class Meta:
        model = Server
        fields = ["id", "name", "source", "package_registry", "package", "status",
                  "active_approval", "pending_requests", "denial"]

    @extend_schema_field(serializers.ChoiceField(choices=[*CATALOG_STATUSES, "none"]))
    def get_status(self, server):
        return selectors.catalog_status(server)

    @extend_schema_field(ActiveApprovalSerializer(allow_null=True))
    def get_active_approval(self, server):
        active = selectors.active_approval(server)  # never one past its expiry
        return ACTIVE_APPROVAL.to_representation(active) if active else None

    @extend_schema_field(DenialSerializer(allow_null=True))
    def get_denial(self, server):
        if server.has_active or not server.denials:
            return None
        return DENIAL.to_representation(server.denials[0])


class RevokeSerializer(StrictSerializer):
    approval = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1,
        help_text="The id of the approval you mean (active_approval.id of the server): if "
                  "another has replaced it meanwhile, the answer is 409 and nothing changes.")
    reason = StrictCharField(max_length=2000, help_text="Why it is revoked (an incident, a CVE).")


class CatalogQuery(StrictSerializer):
    status = StrictChoiceField(choices=CATALOG_STATUSES, required=False)
    risk = StrictChoiceField(choices=Risk.choices, required=False)
    scope = StrictChoiceField(choices=DataScope.choices, required=False)
    search = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                   help_text="Part of the server's name.")


@extend_schema_view(
    list=extend_schema(summary="The catalog: servers with their active approval, pending "
                               "requests and denial", parameters=[CatalogQuery],
                       responses={200: ServerSerializer(many=True), **error_responses(400)}),
    retrieve=extend_schema(summary="One server of the catalog",
                           responses={200: ServerSerializer, **error_responses(404)}),
)
class ServerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ServerSerializer
    filter_backends = [OrderingFilter]
    ordering_fields = ["name", "created_at"]
    lookup_field = "name"
    lookup_value_regex = r"[a-z0-9][a-z0-9._-]{0,63}"

    def get_queryset(self):
        params = {}
        if self.action == "list":
            query = {k: v for k, v in self.request.query_params.items()
                     if k in CatalogQuery().fields}
            checked = CatalogQuery(data=query)
            checked.is_valid(raise_exception=True)
            params = checked.validated_data
        denials = Request.objects.filter(status=RequestStatus.DENIED).order_by(
            "-decided_at", "-id")
        return selectors.catalog(**params).prefetch_related(
            Prefetch("requests", queryset=denials, to_attr="denials"))

    @extend_schema(
        summary="Security: revoke the server's active approval at once, with a reason",
        description="Audited and notified (requester, approvers, security and platform "
                    "teams); the served export files leave it out at once. 409 when the "
                    "approval named is no longer active (a bump or renewal superseded it a "
                    "moment ago: the answer names the one that did).",
        request=RevokeSerializer,
        responses={200: ServerSerializer, **error_responses(400, 403, 404, 409)})
    @action(detail=True, methods=["post"])
    def revoke(self, request, name=None):
        server = self.get_object()
        if not can_manage_reviews(request.user):
            raise NotAllowed("Only the security team can revoke an approval.")
        serializer = RevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not Approval.objects.filter(pk=data["approval"], server=server).exists():
            raise serializers.ValidationError(
                {"approval": [f"{server.name} has no approval #{data['approval']}"]})
        services.revoke_approval(actor=request.user, approval=data["approval"],
                                 reason=data["reason"])
        return Response(ServerSerializer(self.get_queryset().get(pk=server.pk)).data)


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


def _etag_matches(header: str, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


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
        sha = (head.file_sha256 or {}).get(filename)
        etag = f'"{sha}"'
        headers = {"ETag": etag, "Cache-Control": "no-cache",
                   "X-Export-Id": str(head.snapshot_id)}
        if _etag_matches(request.headers.get("If-None-Match", ""), etag):
            response = HttpResponse(status=304)
        else:
            column = {"mcp-registry.yaml": "registry_yaml", "managed-mcp.json": "managed_mcp_json",
                      "managed-settings.json": "managed_settings_json"}[filename]
            body = ExportSnapshot.objects.values_list(column, flat=True).get(
                pk=head.snapshot_id)
            response = HttpResponse(body.encode(), content_type=CONTENT_TYPES[filename])
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        for key, value in headers.items():
            response[key] = value
        return response
