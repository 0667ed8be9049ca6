"""The requests API (SPEC §7): thin serializers over the workflow service. Every change goes
through approvals.services, so the API obeys exactly the rules the pages obey."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.roles import ALL_ROLES, can_manage_reviews, can_see_queue
from governance.api.fields import (
    StrictCharField,
    StrictChoiceField,
    StrictSerializer,
    error_responses,
)
from governance.api.renderers import LIST_RENDERERS
from governance.errors import Conflict, NotAllowed
from governance.models import DataScope, Risk
from registry.models import PackageRegistry

from .. import services as workflow
from ..filtersets import RequestFilterSet
from ..form_errors import link_for_viewer
from ..models import (
    Comment,
    Request,
    RequestEvent,
    RequestKind,
    RequestStatus,
    SignOff,
)
from . import flat

# ─── output ─────────────────────────────────────────────────────────────────────────


class RequestListSerializer(serializers.ModelSerializer):
    server = serializers.CharField(source="server.name")
    requester = serializers.CharField(source="requester.username")
    reviewer = serializers.CharField(source="reviewer.username", allow_null=True, default=None)
    is_overdue = serializers.BooleanField()

    class Meta:
        model = Request
        fields = ["id", "kind", "server", "version", "status", "requester", "reviewer",
                  "requested_at", "expected_decision", "is_overdue", "proposed_data_scope",
                  "data_scope", "risk", "bump_level", "decided_at"]


class SignOffSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username")
    on_behalf_of = serializers.CharField(
        source="on_behalf_of.username", allow_null=True, default=None,
        help_text="The delegator `user` signed for under a delegation; null when they "
                  "signed in their own right.")

    class Meta:
        model = SignOff
        fields = ["id", "user", "role", "on_behalf_of", "decision", "comment", "reason",
                  "alternative", "release_notes", "expires", "created_at"]


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username")

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "created_at"]


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)

    class Meta:
        model = RequestEvent
        fields = ["verb", "actor", "from_status", "to_status", "detail", "created_at"]


class RouteSerializer(serializers.Serializer):
    required_roles = serializers.ListField(child=serializers.CharField())
    missing_roles = serializers.ListField(child=serializers.CharField())
    evidence = serializers.ListField(child=serializers.CharField())
    basis = serializers.CharField()


class RequestDetailSerializer(RequestListSerializer):
    signoffs = SignOffSerializer(many=True)
    comments = CommentSerializer(many=True)
    events = EventSerializer(many=True)
    route = serializers.SerializerMethodField()
    config = serializers.JSONField()
    restrictions = serializers.ListField(child=serializers.CharField())
    excluded_tools = serializers.ListField(child=serializers.CharField())

    class Meta(RequestListSerializer.Meta):
        fields = [*RequestListSerializer.Meta.fields, "source", "package", "package_registry",
                  "use_case", "config", "rationale", "restrictions", "excluded_tools", "notes",
                  "what_changed",
                  "bump_reason", "passed_sandbox_trial", "trial_notes", "denial_reason",
                  "denial_alternative", "route", "signoffs", "comments", "events"]

    @extend_schema_field(RouteSerializer)
    def get_route(self, obj):
        route = workflow.route_of(obj)
        return {
            "required_roles": list(route.required_roles),
            "missing_roles": workflow.missing_roles(route, obj.signoffs.all()),
            "evidence": route.describe_evidence(),
            "basis": route.basis,
        }


# ─── input ──────────────────────────────────────────────────────────────────────────

HELP_TOOLS = ("Tool names the approval excludes (MCP tool names); Claude Code is told to "
              "deny them.")


class ConfigField(serializers.JSONField):
    default_error_messages = {"type": "must be an object: command/args/env or type/url/headers"}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("type")
        return super().to_internal_value(data)


class RequestCreateSerializer(StrictSerializer):
    kind = StrictChoiceField(choices=RequestKind.choices)
    server_name = StrictCharField(max_length=64)
    version = StrictCharField(max_length=100, required=False, allow_blank=True, default="")
    config = ConfigField(required=False)
    use_case = StrictCharField(required=False, allow_blank=True, default="")
    proposed_data_scope = StrictChoiceField(choices=DataScope.choices, required=False,
                                            allow_blank=True, default="")
    source = StrictCharField(max_length=500, required=False, allow_blank=True, default="")
    package = StrictCharField(max_length=300, required=False, allow_blank=True, default="")
    package_registry = StrictChoiceField(choices=PackageRegistry.choices, required=False,
                                         allow_blank=True, default="")
    notes = StrictCharField(required=False, allow_blank=True, default="")
    what_changed = StrictCharField(required=False, allow_blank=True, default="")
    excluded_tools = serializers.ListField(
        child=StrictCharField(max_length=200), required=False,
        help_text=HELP_TOOLS)


class RequestEditSerializer(StrictSerializer):
    """What the requester may change while the request needs info."""

    version = StrictCharField(max_length=100, required=False, allow_blank=True)
    config = ConfigField(required=False)
    use_case = StrictCharField(required=False, allow_blank=True)
    proposed_data_scope = StrictChoiceField(choices=DataScope.choices, required=False)
    notes = StrictCharField(required=False, allow_blank=True)
    what_changed = StrictCharField(required=False, allow_blank=True)
    source = StrictCharField(max_length=500, required=False, allow_blank=True)
    package = StrictCharField(max_length=300, required=False, allow_blank=True)
    package_registry = StrictChoiceField(choices=PackageRegistry.choices, required=False,
                                         allow_blank=True)


class AssignSerializer(StrictSerializer):
    reviewer = StrictCharField(required=False, allow_blank=True, default="",
                               help_text="Username of a security team member; empty to claim.")


class TransitionSerializer(StrictSerializer):
    status = StrictChoiceField(choices=RequestStatus.choices)
    notes = StrictCharField(required=False, allow_blank=True, default="")


class AssessmentSerializer(StrictSerializer):
    risk = StrictChoiceField(choices=Risk.choices, required=False)
    data_scope = StrictChoiceField(choices=DataScope.choices, required=False)
    rationale = StrictCharField(required=False, allow_blank=True)
    restrictions = serializers.ListField(child=StrictCharField(), required=False)
    excluded_tools = serializers.ListField(
        child=StrictCharField(max_length=200), required=False,
        help_text=HELP_TOOLS)


class SignOffInputSerializer(StrictSerializer):
    role = StrictChoiceField(choices=list(ALL_ROLES))
    decision = StrictChoiceField(choices=SignOff.Decision.values)
    comment = StrictCharField(required=False, allow_blank=True, default="")
    reason = StrictCharField(required=False, allow_blank=True, default="")
    alternative = StrictCharField(required=False, allow_blank=True, default="")
    release_notes = StrictCharField(required=False, allow_blank=True, default="")
    expires = serializers.DateField(required=False, allow_null=True, default=None)
    exclude_tools = serializers.ListField(
        child=StrictCharField(max_length=200), required=False,
        help_text="Approve with these tools excluded too.")


class CommentInputSerializer(StrictSerializer):
    body = StrictCharField(max_length=20000)


# ─── the viewset ────────────────────────────────────────────────────────────────────


def visible_requests(user):
    """Reviewers see every request; anyone else sees their own (others' answer 404)."""
    qs = Request.objects.select_related("server", "requester", "reviewer")
    return qs if can_see_queue(user) else qs.filter(requester=user)


def with_timeline(qs):
    return qs.prefetch_related(
        Prefetch("signoffs", queryset=SignOff.objects.select_related("user", "on_behalf_of")),
        Prefetch("comments", queryset=Comment.objects.select_related("author")),
        Prefetch("events", queryset=RequestEvent.objects.select_related("actor")),
    )


@extend_schema_view(
    list=extend_schema(summary="List requests: your own, or all of them for reviewers",
                       responses={200: RequestListSerializer(many=True),
                                  **error_responses(400)}),
    retrieve=extend_schema(summary="Read a request with its route, sign-offs and timeline",
                           responses={200: RequestDetailSerializer, **error_responses(404)}),
)
class RequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RequestListSerializer
    renderer_classes = LIST_RENDERERS
    filterset_class = RequestFilterSet  # the review queue's page filters with it too
    # `ordering` is the FilterSet's, as the queue's sortable columns are; by default
    # soonest due first (Request.Meta.ordering, served by the index).
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Request.objects.none()
        qs = visible_requests(self.request.user)
        return with_timeline(qs) if self.action == "retrieve" else qs

    def list(self, http_request, *args, **kwargs):
        fields = RequestListSerializer.Meta.fields
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset.values_list(*flat.request_columns(fields)))
        return self.get_paginated_response(
            flat.request_rows(page, fields=fields, now=timezone.now()))

    def get_serializer_class(self):
        if self.action in ("retrieve", "partial_update"):
            return RequestDetailSerializer
        return RequestListSerializer

    def handle_exception(self, exc):
        # A conflict with someone else's request links to the server's page instead: the
        # request's own page would answer 404 to this user.
        if isinstance(exc, Conflict):
            link_for_viewer(exc, self.request.user)
        return super().handle_exception(exc)

    def _detail(self, req, code=status.HTTP_200_OK):
        fresh = with_timeline(visible_requests(self.request.user)).get(pk=req.pk)
        return Response(RequestDetailSerializer(fresh, context=self.get_serializer_context()).data,
                        status=code)

    @extend_schema(summary="File a request (new_server, version_bump or renewal)",
                   request=RequestCreateSerializer,
                   responses={201: RequestDetailSerializer, **error_responses(400, 409)})
    def create(self, http_request):
        data = _valid(RequestCreateSerializer, http_request)
        created = workflow.file_request(actor=http_request.user, **data)
        return self._detail(created, status.HTTP_201_CREATED)

    @extend_schema(summary="Edit your own request while it needs info",
                   request=RequestEditSerializer,
                   responses={200: RequestDetailSerializer, **error_responses(400, 403, 404, 409)})
    def partial_update(self, http_request, pk=None):
        req = self.get_object()
        data = _valid(RequestEditSerializer, http_request)
        workflow.edit_request(actor=http_request.user, request=req, **data)
        return self._detail(req)

    @extend_schema(summary="Security: claim a request, or assign it to a reviewer",
                   request=AssignSerializer,
                   responses={200: RequestDetailSerializer, **error_responses(400, 403, 404, 409)})
    @action(detail=True, methods=["post"])
    def assign(self, http_request, pk=None):
        req = self.get_object()
        if not can_manage_reviews(http_request.user):
            # before the reviewer is looked up, so nobody else can probe usernames
            raise NotAllowed("Only the security team can claim or assign requests.")
        data = _valid(AssignSerializer, http_request)
        reviewer = None
        if data["reviewer"]:
            reviewer = get_user_model().objects.filter(username=data["reviewer"],
                                                       is_active=True).first()
            if reviewer is None:
                raise serializers.ValidationError({"reviewer": ["no active user by that name"]})
        workflow.assign(actor=http_request.user, request=req, reviewer=reviewer)
        return self._detail(req)

    @extend_schema(summary="Change the status: security's review moves, or the requester's "
                           "resubmit (under_review) and withdraw (withdrawn)",
                   request=TransitionSerializer,
                   responses={200: RequestDetailSerializer, **error_responses(400, 403, 404, 409)})
    @action(detail=True, methods=["post"])
    def transition(self, http_request, pk=None):
        req = self.get_object()
        data = _valid(TransitionSerializer, http_request)
        workflow.transition(actor=http_request.user, request=req, **data)
        return self._detail(req)

    @extend_schema(summary="Security: set risk, final data scope, rationale and restrictions",
                   request=AssessmentSerializer,
                   responses={200: RequestDetailSerializer, **error_responses(400, 403, 404, 409)})
    @action(detail=True, methods=["post"])
    def assessment(self, http_request, pk=None):
        req = self.get_object()
        data = _valid(AssessmentSerializer, http_request)
        workflow.set_assessment(actor=http_request.user, request=req, **data)
        return self._detail(req)

    @extend_schema(summary="Sign off: approve or deny in one of your roles",
                   request=SignOffInputSerializer,
                   responses={201: SignOffSerializer, **error_responses(400, 403, 404, 409)})
    @action(detail=True, methods=["post"])
    def signoffs(self, http_request, pk=None):
        req = self.get_object()
        data = _valid(SignOffInputSerializer, http_request)
        signoff = workflow.sign_off(actor=http_request.user, request=req, **data)
        return Response(SignOffSerializer(signoff).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Add to the discussion", request=CommentInputSerializer,
                   responses={201: CommentSerializer, **error_responses(400, 403, 404, 409)})
    @action(detail=True, methods=["post"])
    def comments(self, http_request, pk=None):
        req = self.get_object()
        data = _valid(CommentInputSerializer, http_request)
        comment = workflow.add_comment(actor=http_request.user, request=req, **data)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


def _valid(serializer_class, http_request) -> dict:
    serializer = serializer_class(data=http_request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


__all__ = ["RequestViewSet"]
