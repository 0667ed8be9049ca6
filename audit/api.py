"""GET /api/v1/audit/: the audit trail (django-auditlog), newest first, filtered by the
object it concerns, the actor and the time. Read-only: nothing in the product deletes it."""

import django_filters
from auditlog.models import LogEntry
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import CanReadAudit
from governance.api.fields import error_responses

from .filtersets import ACTIONS, AuditFilterSet
from .publish import latest_checkpoint

ACTION_NAMES = {value: name for name, value in ACTIONS.items()}


class LogEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    action = serializers.SerializerMethodField()
    object_type = serializers.SerializerMethodField()
    changes = serializers.JSONField(allow_null=True)

    class Meta:
        model = LogEntry
        fields = ["id", "timestamp", "actor", "action", "object_type", "object_pk",
                  "object_repr", "changes"]

    @extend_schema_field(serializers.ChoiceField(choices=list(ACTIONS)))
    def get_action(self, entry):
        return ACTION_NAMES.get(entry.action, str(entry.action))

    @extend_schema_field(serializers.CharField(help_text="app_label.model, e.g. approvals.request"))
    def get_object_type(self, entry):
        return f"{entry.content_type.app_label}.{entry.content_type.model}"


@extend_schema(summary="The audit trail, newest first",
               responses={200: LogEntrySerializer(many=True), **error_responses(400, 403)})
class AuditList(generics.ListAPIView):
    permission_classes = [CanReadAudit]
    serializer_class = LogEntrySerializer
    filterset_class = AuditFilterSet  # the audit page filters with it too
    # `ordering` is the FilterSet's, as the page's sortable columns are (newest first).
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    queryset = LogEntry.objects.select_related("actor", "content_type").order_by(
        "-timestamp", "-id")


class ChainHeadSerializer(serializers.Serializer):
    date = serializers.DateField()
    position = serializers.IntegerField(source="seq")
    hash = serializers.CharField()
    verified = serializers.BooleanField(source="ok")
    problem = serializers.CharField()
    message = serializers.CharField(help_text="The text signed, byte for byte.")
    key_id = serializers.CharField(help_text="The export signing key's id; empty when off.")
    signature = serializers.CharField(help_text="Ed25519 over `message`, base64.")
    published_at = serializers.DateTimeField(source="created_at")


@extend_schema(summary="The audit chain's head as last published (daily), signed",
               responses={200: ChainHeadSerializer, **error_responses(403, 404)})
class ChainHead(APIView):
    permission_classes = [CanReadAudit]

    def get(self, request):
        checkpoint = latest_checkpoint()
        if checkpoint is None:
            raise NotFound("No audit chain head has been published yet: the daily check "
                           "(audit.verify_chain) has not run.")
        return Response(ChainHeadSerializer(checkpoint).data)
