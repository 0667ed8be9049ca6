"""What a server offers, as the sandboxed inspection found it (issue 14): one Inspection
per request, and one per approval that had none (approvals from before, or imported).
Kept out of models.py for its size; models.py imports it, so it is the approvals app's."""

from django.db import models
from django.db.models import Q
from django.utils import timezone


class InspectionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    NOT_INSPECTABLE = "not_inspectable", "Not inspectable"
    FAILED = "failed", "Failed"


# An outcome the final sign-off may follow (a result, or a recorded reason there is none).
OUTCOMES = (InspectionStatus.DONE, InspectionStatus.NOT_INSPECTABLE, InspectionStatus.FAILED)


class Inspection(models.Model):
    # Foreign keys, unique below: a reverse one-to-one would be read (one query each) by
    # everything that walks an approval's or a request's fields.
    request = models.ForeignKey("approvals.Request", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="inspections")
    approval = models.ForeignKey("registry.Approval", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="inspections")
    status = models.CharField(max_length=20, choices=InspectionStatus.choices,
                              default=InspectionStatus.PENDING)
    reason = models.TextField(blank=True, help_text="Why there is no result, or what was cut.")
    stderr = models.TextField(blank=True, help_text="The server's error output (its end).")
    package_version = models.CharField(max_length=100, blank=True,
                                       help_text="The package version inspected.")
    server_name = models.CharField(max_length=300, blank=True,
                                   help_text="The name the server reports (initialize).")
    server_version = models.CharField(max_length=100, blank=True,
                                      help_text="The version the server reports: shown, never "
                                                "routed on.")
    protocol_version = models.CharField(max_length=40, blank=True)
    tools = models.JSONField(default=list, blank=True)
    resources = models.JSONField(default=list, blank=True)
    prompts = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request"], name="one_inspection_per_request"),
            models.UniqueConstraint(fields=["approval"], name="one_inspection_per_approval"),
            models.CheckConstraint(
                condition=Q(request__isnull=False, approval__isnull=True)
                | Q(request__isnull=True, approval__isnull=False),
                name="inspection_of_one_thing"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in InspectionStatus]),
                name="inspection_status_known"),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        what = f"request #{self.request_id}" if self.request_id else (
            f"approval #{self.approval_id}")
        return f"inspection of {what}: {self.status}"

    @property
    def has_outcome(self) -> bool:
        return self.status in OUTCOMES
