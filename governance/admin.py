from django.contrib import admin

from .models import (
    CapabilityRule,
    DataClassification,
    IncidentResponse,
    Organisation,
    RiskValidity,
    VersionBumpRule,
)

admin.site.site_header = "MCP Governance Portal administration"
admin.site.site_title = "MCP Governance Portal"


class ReadOnlyMixin:
    """For records that change only through the services (or never): look, don't touch."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SingletonAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not self.model.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(SingletonAdmin):
    fieldsets = [
        ("Metadata (the registry's metadata block)", {"fields": [
            "organization", "review_cycle", "last_reviewed", "next_review", "owner",
            "policy_doc"]}),
        ("Route for new servers and renewals", {"fields": [
            "new_server_approver", "new_server_turnaround", "high_risk_approver"]}),
        ("MCP registry for VS Code and Copilot (/v0.1/)", {"fields": [
            "registry_namespace", "registry_api_access"]}),
    ]


@admin.register(IncidentResponse)
class IncidentResponseAdmin(SingletonAdmin):
    list_display = ["report_to", "slack", "response_time_sla", "escalation"]


@admin.register(VersionBumpRule)
class VersionBumpRuleAdmin(admin.ModelAdmin):
    list_display = ["level", "approver", "requires", "turnaround"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RiskValidity)
class RiskValidityAdmin(admin.ModelAdmin):
    list_display = ["risk", "months"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataClassification)
class DataClassificationAdmin(admin.ModelAdmin):
    list_display = ["data_scope", "mcp_access", "extra_approver", "conditions"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CapabilityRule)
class CapabilityRuleAdmin(admin.ModelAdmin):
    """Which capability change (found by the inspection) routes a bump at least how high."""

    list_display = ["change", "min_level"]
