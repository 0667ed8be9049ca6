"""GET /api/v1/audit/: the audit trail (django-auditlog), newest first, filtered by the
object it concerns, the actor and the time. Read-only: nothing in the product deletes it."""

import django_filters
from auditlog.models import LogEntry
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers

from accounts.permissions import CanReadAudit
from governance.api.fields import error_responses

from .filtersets import ACTIONS, AuditFilterSet

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
