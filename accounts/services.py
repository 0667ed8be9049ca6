"""A user's own API tokens: made and revoked."""

import datetime as dt

from django.conf import settings
from django.db import transaction

from governance.errors import InvalidInput

from .models import ApiToken

# ─── a user's own API tokens ────────────────────────────────────────────────────────
# Only the key's digest and first characters are stored (django-rest-knox); the key itself
# is returned once, to be shown once. Creation and revocation are audited, without digest.


@transaction.atomic
def issue_token(*, user, name: str, days: int | None) -> tuple[ApiToken, str]:
    """A new API token for `user`, named for its owner to recognise, valid for `days` days
    (None: until revoked), never longer than the administrator's API_TOKEN_MAX_DAYS.
    Returns the token and its key, which is not stored anywhere."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = ["Give the token a name that says where it is used, e.g. "
                          "'hook on my laptop' or 'deploy pipeline'."]
    elif len(name) > 100:
        errors["name"] = [f"At most 100 characters (it has {len(name)})."]
    maximum = settings.API_TOKEN_MAX_DAYS
    if days is not None and days < 1:
        errors["days"] = ["A token is valid for at least one day."]
    elif maximum and (days is None or days > maximum):
        errors["days"] = [f"A token may be valid for at most {maximum} days "
                          "(set by the administrators)."]
    if errors:
        raise InvalidInput("The token was not created.", errors)
    return ApiToken.objects.create(user=user, name=name,
                                   expiry=dt.timedelta(days=days) if days else None)


@transaction.atomic
def revoke_token(*, user, digest: str) -> bool:
    """Revoke one of `user`'s tokens: it stops working at once. False if they have no such
    token (another user's token is theirs to revoke, or an administrator's)."""
    deleted, _ = ApiToken.objects.filter(user=user, digest=digest).delete()
    return bool(deleted)
