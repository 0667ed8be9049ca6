"""The catalog API (SPEC §7): servers with their active approval, pending requests and
denial; and the security team's revocation of a server's active approval. It lists
requests beside the registry's approvals, so it is the workflow's (the layer above)."""

from django.db.models import CharField, Prefetch
from django.db.models.functions import Cast
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.roles import can_manage_reviews
from governance.api.fields import (
    StrictCharField,
    StrictSerializer,
    datetime_text_writer,
    datetime_writer,
    error_responses,
)
from governance.api.renderers import LIST_RENDERERS
from governance.errors import NotAllowed
from registry import selectors as registry_selectors
from registry import services as registry_services
from registry.models import Approval, Server

from .. import catalog
from ..filtersets import ServerFilterSet
from ..models import Request, RequestStatus

CATALOG_STATUSES = catalog.CATALOG_STATUSES


class ActiveApprovalSerializer(serializers.ModelSerializer):
    config = serializers.JSONField()
    restrictions = serializers.ListField(child=serializers.CharField())
    excluded_tools = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Approval
        fields = ["id", "version", "data_scope", "risk", "rationale", "restrictions",
                  "excluded_tools", "config",
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
        return catalog.catalog_status(server)

    @extend_schema_field(ActiveApprovalSerializer(allow_null=True))
    def get_active_approval(self, server):
        active = catalog.active_approval(server)  # never one past its expiry
        return ACTIVE_APPROVAL.to_representation(active) if active else None

    @extend_schema_field(DenialSerializer(allow_null=True))
    def get_denial(self, server):
        if server.has_active or not server.denials:
            return None
        return DENIAL.to_representation(server.denials[0])


# ─── the list, flat ──────────────────────────────────────────────────────────────────
# A page of 500 servers read as plain rows in four queries and written as dicts, with
# the same fields and formats as ServerSerializer (which documents them and serves one
# server): DRF's nested serializers cost a model instance and a dozen get_attribute calls
# a field a row.

SERVER_FIELDS = ("id", "name", "source", "package_registry", "package")
APPROVAL_FIELDS = tuple(ActiveApprovalSerializer.Meta.fields)
PENDING_FIELDS = tuple(PendingRequestSerializer.Meta.fields)
# Read as they are, and expected_decision as text.
PENDING_DATA = tuple(f for f in PENDING_FIELDS if f != "expected_decision")


def _date(value):
    return value.isoformat() if value is not None else None


def server_rows(servers, today=None) -> list[dict]:
    """A page of catalog() as rows of SERVER_FIELDS, as the list answers them. Each row's
    flags are read for the page's servers alone: as annotations of the page's query,
    PostgreSQL computed them by reading every approval (a hashed subplan). The page's ids
    go as one array (`any_of`), and the 2,500 or so due dates of its pending requests as
    text (`datetime_text_writer`)."""
    today = today or timezone.localdate()
    _datetime = datetime_writer()
    ids = [row[0] for row in servers]
    active = {}
    for row in (Approval.objects.deployable(today).filter(server_id__any_of=ids)
                .values_list("server_id", *APPROVAL_FIELDS)):
        item = dict(zip(APPROVAL_FIELDS, row[1:], strict=True))
        item["approved_date"], item["expires"] = (_date(item["approved_date"]),
                                                  _date(item["expires"]))
        active[row[0]] = item
    pending: dict[int, list] = {}
    due = datetime_text_writer()
    for row in (Request.objects.filter(server_id__any_of=ids, status__in=catalog.OPEN_STATUSES)
                .order_by("expected_decision")
                .annotate(due_text=Cast("expected_decision", CharField()))
                .values_list("server_id", *PENDING_DATA, "due_text")):
        item = dict(zip(PENDING_DATA, row[1:-1], strict=True))
        item["expected_decision"] = due(row[-1])
        pending.setdefault(row[0], []).append(item)
    denials = {}
    for sid, rid, decided_at, reason, alternative in (
            Request.objects.filter(server_id__any_of=ids, status=RequestStatus.DENIED)
            .order_by("server_id", "-decided_at", "-id")
            .values_list("server_id", "id", "decided_at", "denial_reason",
                         "denial_alternative")):
        denials.setdefault(sid, {"request_id": rid, "decided_at": _datetime(decided_at),
                                 "denial_reason": reason, "denial_alternative": alternative})
    lapsed = set(Approval.objects.lapsed(today).filter(server_id__any_of=ids).order_by()
                 .values_list("server_id", flat=True).distinct())
    rows = []
    for row in servers:
        sid = row[0]
        rows.append({**dict(zip(SERVER_FIELDS, row, strict=True)),
                     "status": catalog.status_of(
                         has_active=sid in active, has_open=sid in pending,
                         has_denial=sid in denials, has_lapsed=sid in lapsed),
                     "active_approval": active.get(sid),
                     "pending_requests": pending.get(sid, []),
                     "denial": None if sid in active else denials.get(sid)})
    return rows


# The pages answered lately, by registry revision, day and URL (its filters and page):
# everything a page shows moves the revision when it changes (servers, approvals, open and
# denied requests: SPEC §6.5, as the export files show them) or with the day (an approval
# past its expiry), so an entry is never stale, only unused once either moves. Per
# process, a few pages; the first call after a change reads the rows again.
_pages: dict[tuple, dict] = {}
_PAGES_KEPT = 8


def _remember_page(key, data):
    while len(_pages) >= _PAGES_KEPT:
        _pages.pop(next(iter(_pages)), None)
    _pages[key] = data


def forget_pages():
    """Drop every remembered page (tests: their rollbacks put the revision back)."""
    _pages.clear()


class RevokeSerializer(StrictSerializer):
    approval = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1,
        help_text="The id of the approval you mean (active_approval.id of the server): if "
                  "another has replaced it meanwhile, the answer is 409 and nothing changes.")
    reason = StrictCharField(max_length=2000, help_text="Why it is revoked (an incident, a CVE).")


@extend_schema_view(
    list=extend_schema(summary="The catalog: servers with their active approval, pending "
                               "requests and denial",
                       responses={200: ServerSerializer(many=True), **error_responses(400)}),
    retrieve=extend_schema(summary="One server of the catalog",
                           responses={200: ServerSerializer, **error_responses(404)}),
)
class ServerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ServerSerializer
    renderer_classes = LIST_RENDERERS
    filterset_class = ServerFilterSet  # the catalog page filters with it too
    filter_backends = [DjangoFilterBackend]  # `ordering` is the FilterSet's (by name)
    lookup_field = "name"
    lookup_value_regex = r"[a-z0-9][a-z0-9._-]{0,63}"

    def list(self, request, *args, **kwargs):
        key = (registry_selectors.export_state().number, timezone.localdate(),
               request.build_absolute_uri())
        data = _pages.get(key)
        if data is None:
            # The filtered, ordered servers without their prefetches: server_rows reads
            # the page's own.
            queryset = self.filter_queryset(self.get_queryset()).prefetch_related(None)
            page = self.paginate_queryset(queryset.values_list(*SERVER_FIELDS))
            data = self.get_paginated_response(server_rows(page)).data
            _remember_page(key, data)
        return Response(data)

    def get_queryset(self):
        denials = Request.objects.filter(status=RequestStatus.DENIED).order_by(
            "-decided_at", "-id")
        return catalog.catalog().prefetch_related(
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
    def revoke(self, http_request, name=None):
        server = self.get_object()
        if not can_manage_reviews(http_request.user):
            raise NotAllowed("Only the security team can revoke an approval.")
        serializer = RevokeSerializer(data=http_request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not Approval.objects.filter(pk=data["approval"], server=server).exists():
            raise serializers.ValidationError(
                {"approval": [f"{server.name} has no approval #{data['approval']}"]})
        registry_services.revoke_approval(actor=http_request.user, approval=data["approval"],
                                          reason=data["reason"])
        return Response(ServerSerializer(self.get_queryset().get(pk=server.pk)).data)


