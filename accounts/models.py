"""API tokens: how scripts and the hook act as their user."""

from django.db import models
from django.utils import timezone
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    """A user's API token (SPEC §7, §10), stored the way django-rest-knox stores it: the
    SHA-512 digest of the key (`digest`) and its first characters (`token_key`), never the
    key itself, which its owner sees once. A token acts as its user, with their roles."""

    name = models.CharField(max_length=100, help_text="What the token is for.")
    last_used = models.DateTimeField(
        null=True, blank=True,
        help_text="Written at most once a minute, so that reads do not become writes.")

    class Meta:
        verbose_name = "API token"
        ordering = ["-created"]

    def __str__(self):
        return f"{self.token_key}… ({self.name}, {self.user})"

    @property
    def prefix(self) -> str:
        return self.token_key

    def has_expired(self, now=None) -> bool:
        return self.expiry is not None and self.expiry <= (now or timezone.now())
