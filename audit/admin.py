from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin


class ReadOnlyLogEntryAdmin(LogEntryAdmin):
    """Audit records are read, never changed or deleted (SPEC §4 rule 10)."""

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(LogEntry)
admin.site.register(LogEntry, ReadOnlyLogEntryAdmin)
