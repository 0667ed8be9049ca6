from django.contrib import admin
from rest_framework.authtoken.models import TokenProxy

from .models import ApiToken


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
