"""What the registry announces to the layers above it, which it does not import."""

from django.dispatch import Signal

# Sent inside the revocation's transaction, with `approval`, `actor` and `reason`: the
# notifications app tells the approval's people (notifications.approval_notices).
approval_revoked = Signal()
