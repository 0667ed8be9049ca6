"""Requests, their sign-offs, comments and timeline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, transition

from governance.models import BumpLevel, DataScope, Risk


class RequestKind(models.TextChoices):
    NEW_SERVER = "new_server", "New server"
    VERSION_BUMP = "version_bump", "Version bump"
    RENEWAL = "renewal", "Renewal"


class RequestStatus(models.TextChoices):
    UNDER_REVIEW = "under_review", "Under review"
    SANDBOX_TRIAL = "sandbox_trial", "Sandbox trial"
    AWAITING_SECURITY = "awaiting_security", "Awaiting security"
    NEEDS_INFO = "needs_info", "Needs info"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_STATUSES = (
    RequestStatus.UNDER_REVIEW,
    RequestStatus.SANDBOX_TRIAL,
    RequestStatus.AWAITING_SECURITY,
    RequestStatus.NEEDS_INFO,
)
TERMINAL_STATUSES = (RequestStatus.APPROVED, RequestStatus.DENIED, RequestStatus.WITHDRAWN)
# Where a sign-off may be given, and so where a request may be approved.
SIGNABLE_STATUSES = (
    RequestStatus.UNDER_REVIEW,
    RequestStatus.SANDBOX_TRIAL,
    RequestStatus.AWAITING_SECURITY,
)


class RequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, now=None):
        return self.open().filter(expected_decision__lt=now or timezone.now())


class Request(models.Model):
    kind = models.CharField(max_length=20, choices=RequestKind.choices)
    server = models.ForeignKey("registry.Server", on_delete=models.PROTECT, related_name="requests")
    version = models.CharField(max_length=100, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mcp_requests"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=500, blank=True)
    package = models.CharField(max_length=300, blank=True)
    package_registry = models.CharField(max_length=10, blank=True)
    use_case = models.TextField(blank=True)
    proposed_data_scope = models.CharField(max_length=20, choices=DataScope.choices, blank=True)
    data_scope = models.CharField(
        max_length=20, choices=DataScope.choices, blank=True,
        help_text="The final scope, set by the security team; the proposed one until then.",
    )
    risk = models.CharField(max_length=10, choices=Risk.choices, blank=True)
    config = models.JSONField(default=dict, blank=True)
    rationale = models.TextField(blank=True)
    restrictions = models.JSONField(default=list, blank=True)
    excluded_tools = models.JSONField(
        default=list, blank=True,
        help_text="Tools the approval will exclude: proposed by the requester, carried from "
                  "the active approval, set by the security team and the approvers.")
    notes = models.TextField(blank=True)
    what_changed = models.TextField(
        blank=True, help_text="Required when the server was denied before: what is different now."
    )
    # Protected: `request.status = ...` raises. The state changes only through the
    # transitions below, which only the workflow service (approvals.services) makes.
    status = FSMField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.UNDER_REVIEW,
        protected=True,
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="mcp_reviews",
    )
    expected_decision = models.DateTimeField()
    bump_level = models.CharField(max_length=10, choices=BumpLevel.choices, blank=True)
    bump_reason = models.CharField(max_length=200, blank=True)
    base_approval = models.ForeignKey(
        "registry.Approval", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The active approval a version bump or renewal starts from.",
    )
    passed_sandbox_trial = models.BooleanField(default=False)
    trial_notes = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    denial_reason = models.TextField(blank=True)
    denial_alternative = models.TextField(blank=True)
    overdue_flagged_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["expected_decision", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["server", "version"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="one_open_request_per_server_version",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in RequestStatus]),
                name="request_status_known",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expected_decision"]),
            # The review queue's order, open requests only: a page of it reads its rows
            # from the index with a limit instead of sorting every open request.
            models.Index(fields=["expected_decision", "id"], name="open_request_queue_order",
                         condition=Q(status__in=[s.value for s in OPEN_STATUSES])),
            # The same order over every request: the requests API's default.
            models.Index(fields=["expected_decision", "id"], name="request_list_order"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} {self.server.name} {self.version}".strip()

    def get_absolute_url(self) -> str:
        return reverse("request-detail", args=[self.pk])

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        # A protected state is set once per load, and a reload is a new load. django-fsm-2's
        # FSMModelMixin lifts the protection of the field for the whole class while it
        # reloads, which another thread could use meanwhile; this lifts it for this instance.
        unset = object()
        loaded = unset
        if fields is None or "status" in fields:
            loaded = self.__dict__.pop("status", unset)
        try:
            super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        except Exception:
            if loaded is not unset and "status" not in self.__dict__:
                self.__dict__["status"] = loaded
            raise

    # ─── the state machine (SPEC §5) ────────────────────────────────────────────────
    # Every move a request's state can make, in one place. The workflow service calls
    # them after checking who acts and what the rules need; nothing else changes `status`.
    # (A new request starts under_review; approved, denied and withdrawn are final.)

    @transition(field=status, target=RequestStatus.SANDBOX_TRIAL,
                source=[RequestStatus.UNDER_REVIEW, RequestStatus.AWAITING_SECURITY])
    def move_to_sandbox_trial(self):
        """Security: try it in the sandbox."""

    @transition(field=status, target=RequestStatus.AWAITING_SECURITY,
                source=[RequestStatus.UNDER_REVIEW, RequestStatus.SANDBOX_TRIAL])
    def move_to_awaiting_security(self):
        """Security: ready for the security sign-off (after the trial, with its notes)."""

    @transition(field=status, target=RequestStatus.UNDER_REVIEW,
                source=[RequestStatus.SANDBOX_TRIAL, RequestStatus.AWAITING_SECURITY])
    def move_back_to_review(self):
        """Security: back to review."""

    @transition(field=status, target=RequestStatus.NEEDS_INFO, source=list(SIGNABLE_STATUSES))
    def ask_for_info(self):
        """Security: send it back to the requester."""

    @transition(field=status, target=RequestStatus.UNDER_REVIEW,
                source=RequestStatus.NEEDS_INFO)
    def resubmit(self):
        """The requester answers needs_info."""

    @transition(field=status, target=RequestStatus.APPROVED, source=list(SIGNABLE_STATUSES))
    def approve(self):
        """Every required role approved (SPEC §4 rule 5)."""

    @transition(field=status, target=RequestStatus.DENIED, source=list(OPEN_STATUSES))
    def deny(self):
        """A required role denied, or the data scope is RESTRICTED (rules 2 and 5)."""

    @transition(field=status, target=RequestStatus.WITHDRAWN, source=list(OPEN_STATUSES))
    def withdraw(self):
        """The requester withdraws it before a decision."""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def effective_data_scope(self) -> str:
        return self.data_scope or self.proposed_data_scope

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.expected_decision < timezone.now()


class CurrentSignOffManager(models.Manager):
    """Sign-offs that count: those given to the request as it stands now."""

    def get_queryset(self):
        return super().get_queryset().filter(stale=False)


class SignOff(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve"
        DENY = "deny"

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="signoffs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=30)
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text="The delegator `user` signed for, under a delegation "
                                    "in force that day (accounts.Delegation).")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    alternative = models.TextField(blank=True)
    release_notes = models.TextField(blank=True)
    expires = models.DateField(null=True, blank=True, help_text="A shorter validity, if wanted.")
    created_at = models.DateTimeField(default=timezone.now)
    stale = models.BooleanField(
        default=False,
        help_text="Given before the requester changed what the request asks for: kept for "
                  "the record, no longer counted.")

    objects = CurrentSignOffManager()
    all_objects = models.Manager()  # noqa: DJ012 (objects, the default, hides stale ones)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "user"], condition=Q(stale=False),
                                    name="one_signoff_per_person"),
            models.UniqueConstraint(fields=["request", "on_behalf_of"],
                                    condition=Q(stale=False, on_behalf_of__isnull=False),
                                    name="one_signoff_per_person_signed_for"),
            models.CheckConstraint(
                condition=~Q(decision="deny") | ~Q(reason=""), name="deny_has_reason"
            ),
        ]

    def __str__(self):
        behalf = f" on behalf of {self.on_behalf_of}" if self.on_behalf_of_id else ""
        return f"{self.decision} by {self.user} as {self.role}{behalf} on #{self.request_id}"


class Comment(models.Model):
    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"comment by {self.author} on #{self.request_id}"


class RequestEvent(models.Model):
    """The timeline a requester and reviewers read; the audit log keeps the field diffs."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verb = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"#{self.request_id} {self.verb}"


from .inspection_models import Inspection, InspectionStatus  # noqa: E402,F401 (the app's)
