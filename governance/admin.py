from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin
from rest_framework.authtoken.models import TokenProxy

from .models import (
    ApiToken,
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


class ReadOnlyLogEntryAdmin(LogEntryAdmin):
    """Audit records are read, never changed or deleted (SPEC §4 rule 10)."""

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(LogEntry)
admin.site.register(LogEntry, ReadOnlyLogEntryAdmin)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every user's tokens, by the first characters of their key (the key itself is stored
    nowhere). Administrators revoke a token by deleting it; its owner makes new ones on the
    API token page."""

    list_display = ["token_key", "name", "user", "created", "expiry", "last_used"]
    list_filter = ["expiry", "last_used"]
    search_fields = ["token_key", "name", "user__username"]
    fields = ["token_key", "name", "user", "created", "expiry", "last_used"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# DRF's own token table is emptied by the upgrade (governance migration 0005) and unused.
admin.site.unregister(TokenProxy)
