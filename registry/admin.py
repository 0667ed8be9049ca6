from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from accounts.roles import can_manage_reviews
from governance.admin import ReadOnlyMixin
from governance.errors import InvalidInput, ServiceError

from . import services
from .forms import RevokeReasonForm
from .models import (
    Approval,
    ExportSnapshot,
    RegistryRevision,
    Server,
    UpstreamCheck,
    UpstreamRelease,
)


class ServerForm(forms.ModelForm):
    """The catalog entry, checked by the service the importer and the workflow rely on."""

    class Meta:
        model = Server
        fields = ["name", "source", "package_registry", "package", "created_at"]

    def clean(self):
        cleaned = super().clean()
        try:
            services.check_server_fields(
                server=self.instance if self.instance.pk else None,
                **{key: cleaned.get(key) or "" for key in (
                    "name", "source", "package", "package_registry")})
        except InvalidInput as exc:
            for key, messages in exc.errors.items():
                for message in messages:
                    self.add_error(key if key in self.fields else None, message)
        return cleaned


@admin.register(Server)
class ServerAdmin(admin.ModelAdmin):
    form = ServerForm
    list_display = ["name", "source", "package_registry", "package", "created_at"]
    search_fields = ["name", "package"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The registry YAML shows a server's source and package.
        services.registry_changed(cause=f"server {obj.name} edited in the admin")


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["server", "version", "status", "risk", "data_scope", "approved_date",
                    "expires"]
    list_filter = ["status", "risk", "data_scope"]
    search_fields = ["server__name", "version", "approved_by"]
    list_select_related = ["server"]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser if obj is None else False

    def has_revoke_permission(self, request):
        return can_manage_reviews(request.user)

    @admin.action(description="Revoke the selected active approvals (security team)",
                  permissions=["revoke"])
    def revoke(self, request, queryset):
        """Asks for the reason first, then revokes each through the registry service."""
        form = RevokeReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for approval in queryset:
                try:
                    services.revoke_approval(actor=request.user, approval=approval,
                                             reason=form.cleaned_data["reason"])
                    done += 1
                except ServiceError as exc:
                    self.message_user(request, f"{approval}: {exc.message}", messages.WARNING)
            self.message_user(request, f"Revoked {done} approval(s).")
            return None
        return TemplateResponse(request, "admin/registry/approval/revoke.html", {
            **self.admin_site.each_context(request),
            "title": "Revoke approvals", "opts": self.model._meta, "form": form,
            "approvals": queryset.select_related("server"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        })


@admin.register(ExportSnapshot)
class ExportSnapshotAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "created_at", "cause", "sha256", "valid_until"]
    exclude = ["registry_yaml", "managed_mcp_json", "managed_settings_json"]
    actions = ["build_now"]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser if obj is None else False

    @admin.action(description="Build a new export now (if the registry changed)")
    def build_now(self, request, queryset):
        snapshot = services.build_export(cause=f"built in the admin by {request.user}")
        self.message_user(request, f"New snapshot {snapshot.pk}." if snapshot else
                          "Nothing changed since the latest snapshot.")


@admin.register(RegistryRevision)
class RegistryRevisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Bookkeeping of the served files: which revision they are current for."""

    list_display = ["number", "cause", "changed_at", "exported", "snapshot", "valid_until"]


@admin.register(UpstreamRelease)
class UpstreamReleaseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """What the upstream release watch found: updates available, withdrawn pins."""

    list_display = ["approval", "kind", "version", "level", "released_at", "found_at"]
    list_filter = ["kind", "level"]
    search_fields = ["approval__server__name", "version"]
    list_select_related = ["approval__server"]


@admin.register(UpstreamCheck)
class UpstreamCheckAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The watch's last answer per package: failures in a row and the last error."""

    list_display = ["package_registry", "package", "checked_at", "succeeded_at", "failures",
                    "last_error"]
    list_filter = ["package_registry"]
    search_fields = ["package"]
