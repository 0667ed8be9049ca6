"""Changes of the governance app that are not policy edits: a user's own API token. The
background jobs' shared helpers (job lock, set-based audit, review-cycle reminder) are in
governance/jobs.py."""

from django.db import transaction

# ─── a user's own API token ─────────────────────────────────────────────────────────
# Tokens are DRF's. They are not audited: the audit record would carry the key itself.


@transaction.atomic
def issue_token(*, user):
    """A new API token for `user`; any earlier one stops working."""
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def revoke_token(*, user) -> bool:
    from rest_framework.authtoken.models import Token

    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)
