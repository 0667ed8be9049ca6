"""The role table of SPEC §3 as DRF permissions; the rules themselves live in roles.py."""

from rest_framework.permissions import IsAuthenticated

from . import roles


class CanDownloadExports(IsAuthenticated):
    message = "Exports are for the platform team, the security team and administrators."

    def has_permission(self, request, view):
        return super().has_permission(request, view) and roles.can_download_exports(
            request.user)


class CanReadAudit(IsAuthenticated):
    message = "The audit trail is for the security team and administrators."

    def has_permission(self, request, view):
        return super().has_permission(request, view) and roles.can_read_audit(request.user)
