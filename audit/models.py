"""The audit trail's hash chain (audit.chain): one link per django-auditlog entry, the head
that serialises appends, and the head as published each day (signed)."""

from django.db import models
from django.utils import timezone


class ChainHead(models.Model):
    """The one row (pk 1) locked by every append: the last position and its hash."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self):
        return f"head at {self.seq}: {self.hash}"


class ChainLink(models.Model):
    """Position `seq` of the chain: the hash over the previous link's and entry `entry_id`'s
    canonical form. No foreign key: a removed entry must leave its link behind as evidence."""

    seq = models.BigIntegerField(primary_key=True)
    entry_id = models.BigIntegerField(unique=True)
    hash = models.CharField(max_length=64)

    def __str__(self):
        return f"{self.seq}: entry #{self.entry_id}"


class ChainCheckpoint(models.Model):
    """The head as the daily check found and published it, with the check's verdict."""

    date = models.DateField(unique=True)
    seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    ok = models.BooleanField()
    problem = models.TextField(blank=True)
    message = models.TextField(help_text="The text signed (the date, position and hash).")
    key_id = models.CharField(max_length=100, blank=True)
    signature = models.CharField(max_length=200, blank=True, help_text="base64, Ed25519")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date}: {self.seq} {'intact' if self.ok else 'broken'}"
