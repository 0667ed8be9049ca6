"""What the registry announces to the layers above it, which it does not import."""

from django.dispatch import Signal

# Sent inside the revocation's transaction, with `approval`, `actor` and `reason`: the
# notifications app tells the approval's people (notifications.approval_notices).
approval_revoked = Signal()

# Sent by the upstream release watch inside the transaction that records the finding, with
# `release` (an UpstreamRelease: an update available, or the approved release withdrawn
# upstream): notifications tells the approval's owner, or the security team.
upstream_release_found = Signal()

# Sent when a package's registry has failed UPSTREAM_FAILURES_BEFORE_NOTICE times in a row,
# with `check` (an UpstreamCheck): notifications tells the administrators.
upstream_watch_failing = Signal()

# Sent when a server's active approval changes (one made active, superseding the older;
# a revocation; an expiry), with `server_ids` and `actor`: the workflow classifies the open
# bumps and renewals of those servers again (approvals.services.reroute_open_requests).
# Inside the change's transaction, except after an expiry, whose set-based update sends it
# once committed.
active_approval_changed = Signal()
