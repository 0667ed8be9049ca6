"""Whether any campaign is open, remembered in the cache so that pages ask the database for
a person's campaign items only while one is. Forgotten after a campaign starts or closes."""

from django.core.cache import cache
from django.db import transaction

from .models import Campaign

KEY = "campaigns:any-open"


def any_open() -> bool:
    value = cache.get(KEY)
    if value is None:
        value = Campaign.objects.filter(state=Campaign.State.OPEN).exists()
        cache.set(KEY, value, 300)
    return value


def forget() -> None:
    """After the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: cache.delete(KEY))
