from django.contrib import admin

from governance.admin import ReadOnlyMixin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Notices are written by the jobs once per occasion; their delivery shows here."""

    list_display = ["created_at", "kind", "subject", "mailed_at", "posted_at"]
    list_filter = ["kind"]
    search_fields = ["key", "subject"]
