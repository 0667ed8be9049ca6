from django.contrib import admin, messages

from governance.admin import ReadOnlyMixin
from governance.errors import ServiceError

from . import services
from .models import Comment, Request, RequestEvent, SignOff


class SignOffInline(ReadOnlyMixin, admin.TabularInline):
    model = SignOff
    extra = 0
    fields = ["user", "role", "decision", "comment", "reason", "created_at"]


class EventInline(ReadOnlyMixin, admin.TabularInline):
    model = RequestEvent
    extra = 0
    fields = ["created_at", "actor", "verb", "from_status", "to_status", "detail"]


@admin.register(Request)
class RequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Requests change only through the workflow service: read here, act with the actions."""

    list_display = ["id", "server", "kind", "version", "status", "requester", "reviewer",
                    "expected_decision"]
    list_filter = ["status", "kind", "risk", "proposed_data_scope"]
    search_fields = ["server__name", "version", "requester__username", "requester__email"]
    list_select_related = ["server", "requester", "reviewer"]
    inlines = [SignOffInline, EventInline]
    actions = ["claim"]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser if obj is None else False

    @admin.action(description="Claim the selected requests (security team)")
    def claim(self, request, queryset):
        for item in queryset:
            try:
                services.assign(actor=request.user, request=item)
            except ServiceError as exc:
                self.message_user(request, f"#{item.pk}: {exc.message}", messages.WARNING)


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["request", "user", "role", "decision", "stale", "created_at"]
    list_filter = ["role", "decision", "stale"]

    def get_queryset(self, request):  # the whole record, set-aside sign-offs included
        return SignOff.all_objects.select_related("request__server", "user")


@admin.register(Comment)
class CommentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["request", "author", "created_at"]


@admin.register(RequestEvent)
class RequestEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["request", "verb", "actor", "from_status", "to_status", "created_at"]
    list_filter = ["verb"]
