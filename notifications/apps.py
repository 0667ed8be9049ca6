from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        # Models can be imported only once every app is loaded, hence here.
        from accounts.signals import user_deactivated
        from audit.registration import register
        from registry.signals import (
            approval_revoked,
            upstream_release_found,
            upstream_watch_failing,
        )

        from .approval_notices import notify_revoked
        from .leaver_notices import notify_leaver
        from .models import Notification
        from .upstream_notices import notify_upstream_release, notify_watch_failing

        register(Notification)
        approval_revoked.connect(notify_revoked, dispatch_uid="notifications-revoked")
        user_deactivated.connect(notify_leaver, dispatch_uid="notifications-leaver")
        upstream_release_found.connect(notify_upstream_release,
                                       dispatch_uid="notifications-upstream-release")
        upstream_watch_failing.connect(notify_watch_failing,
                                       dispatch_uid="notifications-upstream-failing")
