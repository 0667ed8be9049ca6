"""Notices: one row per occasion, with its recipients and its delivery."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Notification(models.Model):
    """One message about a request or an approval, mailed to its recipients and, where
    NOTIFY_WEBHOOK_URL is set, posted to the chat. Its `key` names the occasion (an
    approval's 7-day warning, a request's escalation, one timeline event), so each occasion
    is notified once however often a job runs, retries or restarts."""

    class Kind(models.TextChoices):
        REQUEST_EVENT = "request_event", "Request update"
        EXPIRY_WARNING = "expiry_warning", "Approval expires soon"
        EXPIRED = "expired", "Approval expired"
        REVOKED = "revoked", "Approval revoked"
        OVERDUE = "overdue", "Review overdue"
        ESCALATED = "escalated", "Overdue review escalated"
        REVIEW_CYCLE = "review_cycle", "Registry review"
        LEAVER = "leaver", "Leaver's work to hand over"
        UPSTREAM_UPDATE = "upstream_update", "Update available upstream"
        UPSTREAM_WITHDRAWN = "upstream_withdrawn", "Approved release withdrawn upstream"
        UPSTREAM_FAILING = "upstream_failing", "Release watch failing"
        SIGNOFF_WAITING = "signoff_waiting", "Sign-off waiting for you"
        DELEGATION = "delegation", "Sign-off duty delegated"
        CAMPAIGN = "campaign", "Recertification campaign"
        AUDIT_HEAD = "audit_head", "Audit chain head"
        AUDIT_BROKEN = "audit_broken", "Audit chain broken"

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=300, blank=True, help_text="A path in the portal.")
    request = models.ForeignKey("approvals.Request", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="notifications")
    approval = models.ForeignKey("registry.Approval", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="notifications")
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                        related_name="mcp_notifications")
    to_chat = models.BooleanField(default=False, help_text="Also posted to the chat webhook.")
    created_at = models.DateTimeField(default=timezone.now)
    mailed_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(mailed_at__isnull=True),
                         name="notification_unmailed"),
            models.Index(fields=["created_at"], condition=Q(to_chat=True, posted_at__isnull=True),
                         name="notification_unposted"),
        ]

    def __str__(self):
        return self.subject


class NotificationsSeen(models.Model):
    """When a person last opened their notifications: what came after is unread, counted
    on every page."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notifications_seen")
    seen_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.user} saw notifications at {self.seen_at:%Y-%m-%d %H:%M}"


class NotificationPreference(models.Model):
    """How a person wants one kind of notice mailed: at once (the default, when no row
    says otherwise), in a daily digest, or not at all. The portal's list always has it."""

    class Delivery(models.TextChoices):
        IMMEDIATELY = "immediately", "Immediately"
        DAILY = "daily", "Daily digest"
        NEVER = "never", "Not by e-mail"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    kind = models.CharField(max_length=20, choices=Notification.Kind.choices)
    delivery = models.CharField(max_length=12, choices=Delivery.choices,
                                default=Delivery.IMMEDIATELY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"],
                                               name="one_preference_per_kind")]

    def __str__(self):
        return f"{self.user}: {self.kind} {self.delivery}"


class DigestEntry(models.Model):
    """A notice held for someone's daily digest; `sent_at` once the digest went out."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "notification"],
                                               name="one_digest_entry_per_notice")]
        indexes = [models.Index(fields=["user"], condition=Q(sent_at__isnull=True),
                                name="digest_entry_unsent")]

    def __str__(self):
        return f"digest of {self.user}: {self.notification_id}"
