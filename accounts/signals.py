"""What accounts announces to the layers above it, which it does not import."""

from django.dispatch import Signal

# Sent inside the deactivation's transaction, with `user` and `reason`: approvals sends the
# leaver's reviews back to the queue and lists what they own; notifications tells the
# security team (approvals.leavers, notifications.leaver_notices).
user_deactivated = Signal()
