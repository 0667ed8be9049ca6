from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.shortcuts import render
from rest_framework.authtoken.models import TokenProxy

from . import identity, roles
from .models import (
    ApiToken,
    Delegation,
    DirectoryGroup,
    ExternalIdentity,
    GroupRoleMapping,
    IdentityEvent,
    ScimToken,
)


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


@admin.register(GroupRoleMapping)
class GroupRoleMappingAdmin(admin.ModelAdmin):
    """Which group of the identity provider gives which portal role (synced at each sign-in
    and at each SCIM membership change). OIDC_GROUP_ROLES in the settings adds more."""

    list_display = ["group", "role"]
    list_filter = ["role"]
    search_fields = ["group"]


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "subject", "last_sign_in", "deactivated_at"]
    search_fields = ["user__username", "subject"]
    readonly_fields = ["user", "subject", "groups", "last_sign_in", "deactivated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DirectoryGroup)
class DirectoryGroupAdmin(admin.ModelAdmin):
    """Groups as the identity provider pushes them through SCIM; changed there, not here."""

    list_display = ["display_name", "external_id"]
    search_fields = ["display_name", "external_id"]
    readonly_fields = ["display_name", "external_id", "members"]

    def has_add_permission(self, request):
        return False


@admin.register(ScimToken)
class ScimTokenAdmin(admin.ModelAdmin):
    """Bearer tokens for the identity provider's SCIM client. Adding one shows its key once;
    deleting one stops it at once."""

    list_display = ["prefix", "name", "created", "created_by", "last_used"]
    fields = ["name"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        token, key = identity.issue_scim_token(name=obj.name, created_by=request.user)
        obj.pk, obj.prefix, obj.created = token.pk, token.prefix, token.created
        obj.new_key = key

    def response_add(self, request, obj, post_url_continue=None):
        # The key is shown in this answer only: never in a message (a cookie) or a log.
        response = render(request, "admin/accounts/scimtoken/created.html", {
            **self.admin_site.each_context(request), "token": obj, "key": obj.new_key,
            "opts": self.model._meta, "title": "SCIM token created",
        })
        response["Cache-Control"] = "no-store"
        return response


class ReadOnlyForAuditors(admin.ModelAdmin):
    """Records the admin shows to those who read the audit trail and lets no one write."""

    def has_view_permission(self, request, obj=None):
        return roles.can_read_audit(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IdentityEvent)
class IdentityEventAdmin(ReadOnlyForAuditors):
    list_display = ["created_at", "kind", "user", "detail", "address"]
    list_filter = ["kind"]
    search_fields = ["detail", "user__username"]
    readonly_fields = ["created_at", "kind", "user", "detail", "data", "address"]


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyForAuditors):
    """Every delegation of a sign-off duty, for the security team and administrators to
    read; made and ended on the delegations page (approvals.services.delegation), where the
    rules are checked, never here."""

    list_display = ["delegator", "delegate", "role", "starts", "ends", "reason", "created_at",
                    "ended_at"]
    list_filter = ["role", "starts", "ends"]
    search_fields = ["delegator__username", "delegate__username", "reason"]
    readonly_fields = ["delegator", "delegate", "role", "starts", "ends", "reason",
                       "created_by", "created_at", "ended_at", "ended_by"]


class UserAdmin(auth_admin.UserAdmin):
    """Django's user admin without deleting: people are deactivated (as SCIM and the leaver
    flow do), since deleting one would blank the actor of their audit entries, which the
    audit chain then reports as tampering, and lose who decided what."""

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), UserAdmin)
