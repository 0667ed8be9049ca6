"""GET /api/v1/campaigns/: the campaigns with their progress (the security team and
administrators); POST: start one (the security team), as the campaigns page does."""

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from accounts.permissions import CanReadAudit
from governance.api.fields import StrictCharField, StrictSerializer, error_responses

from . import selectors, services
from .models import Campaign


class ProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    answered = serializers.IntegerField()
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()


class CampaignSerializer(serializers.ModelSerializer):
    started_by = serializers.CharField(source="started_by.username", allow_null=True,
                                       default=None, help_text="null: the review schedule")
    team = serializers.CharField(source="team.display_name", allow_null=True, default=None)
    scope = serializers.CharField(source="scope_text")
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = ["id", "name", "scope", "risk", "data_scope", "team", "due", "on_no_answer",
                  "state", "started_by", "started_at", "closed_at", "progress"]

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, campaign):
        counts = selectors.progress(campaign)
        return {key: counts[key] for key in ("total", "answered", "open", "overdue")}


class StartSerializer(StrictSerializer):
    """What starts a campaign; the rules (governance.policy.campaigns) word the refusals."""

    name = StrictCharField(allow_blank=True, trim_whitespace=False)
    due = serializers.DateField(help_text="YYYY-MM-DD: owners answer by then.")
    on_no_answer = StrictCharField(help_text="revoke, or flag (for the security team)")
    risk = StrictCharField(required=False, allow_blank=True, default="",
                                 help_text="LOW, MEDIUM or HIGH; blank: every risk")
    data_scope = StrictCharField(required=False, allow_blank=True, default="",
                                       help_text="PUBLIC, INTERNAL or CONFIDENTIAL; blank: all")
    team = StrictCharField(required=False, allow_blank=True, default="",
                                 help_text="A group of the identity provider (its display "
                                           "name) the owners are in; blank: every team")


@extend_schema_view(
    get=extend_schema(summary="Recertification campaigns, newest first",
                      responses={200: CampaignSerializer(many=True), **error_responses(403)}),
    post=extend_schema(summary="Start a recertification campaign (security team)",
                       request=StartSerializer,
                       responses={201: CampaignSerializer, **error_responses(400, 403)}),
)
class CampaignList(generics.ListCreateAPIView):
    permission_classes = [CanReadAudit]
    serializer_class = CampaignSerializer
    queryset = Campaign.objects.select_related("started_by", "team")

    def create(self, request, *args, **kwargs):
        data = StartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = services.start_campaign(actor=request.user, **data.validated_data)
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)
