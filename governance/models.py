"""The policy, stored as data that administrators edit (seeded from the template)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from .policy import capabilities, names, routing


class DataScope(models.TextChoices):
    PUBLIC = "PUBLIC"
    INTERNAL = "INTERNAL"
    CONFIDENTIAL = "CONFIDENTIAL"
    RESTRICTED = "RESTRICTED"


class Risk(models.TextChoices):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class BumpLevel(models.TextChoices):
    PATCH = "patch"
    MINOR = "minor"
    MAJOR = "major"


class RegistryAccess(models.TextChoices):
    OPEN = "open", "open: anyone who can reach the portal"
    TOKEN = "token", "token: signed-in users and API token holders"


def default_registry_namespace() -> str:
    return settings.REGISTRY_NAMESPACE


def default_registry_access() -> str:
    return settings.REGISTRY_API_ACCESS


class SingletonModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class Organisation(SingletonModel):
    """The template's `metadata` block plus the route for new servers and renewals."""

    organization = models.CharField(max_length=200, default="[Your Organization Name]")
    review_cycle = models.CharField(max_length=50, default="quarterly")
    last_reviewed = models.DateField(null=True, blank=True)
    next_review = models.DateField(null=True, blank=True)
    owner = models.CharField(max_length=254, default="platform-team@company.com")
    policy_doc = models.CharField(max_length=500, blank=True, default="")
    new_server_approver = models.CharField(
        max_length=200,
        default="tech_lead + security_team",
        help_text="Roles that sign off new servers and renewals, joined with ' + '.",
    )
    new_server_turnaround = models.CharField(max_length=50, default="1 week")
    high_risk_approver = models.CharField(
        max_length=200,
        default="engineering_director",
        help_text="Roles added to the route of a new server or renewal at HIGH risk.",
    )
    # The MCP Registry API (/v0.1/) that VS Code and Copilot read: not in the YAML's metadata.
    registry_namespace = models.CharField(
        max_length=100, default=default_registry_namespace,
        help_text="Reverse-DNS prefix of the server names the /v0.1/ registry serves, "
                  "e.g. com.acme (com.acme/context7).")
    registry_api_access = models.CharField(
        max_length=10, choices=RegistryAccess.choices, default=default_registry_access,
        help_text="Who may read the /v0.1/ registry.")

    class Meta:
        verbose_name = "organisation metadata"
        verbose_name_plural = "organisation metadata"

    def __str__(self):
        return self.organization

    def clean(self):
        errors = {}
        for field in ("new_server_approver", "high_risk_approver"):
            problem = routing.role_list_problem(getattr(self, field))
            if problem:
                errors[field] = problem
        if routing.parse_turnaround(self.new_server_turnaround) is None:
            errors["new_server_turnaround"] = routing.TURNAROUND_RULE
        problem = names.namespace_problem(self.registry_namespace)
        if problem:
            errors["registry_namespace"] = problem
        if errors:
            raise ValidationError(errors)


class IncidentResponse(SingletonModel):
    """The template's `incident_response` block."""

    report_to = models.CharField(max_length=254, default="security@company.com")
    slack = models.CharField(max_length=100, blank=True, default="#security-incidents")
    response_time_sla = models.CharField(max_length=100, blank=True, default="4 hours")
    escalation = models.CharField(max_length=254, blank=True, default="")

    class Meta:
        verbose_name = "incident contacts"
        verbose_name_plural = "incident contacts"

    def __str__(self):
        return self.report_to


class VersionBumpRule(models.Model):
    """One row of `version_bump_policy`, kept in the template's own words."""

    level = models.CharField(max_length=10, choices=BumpLevel.choices, unique=True)
    requires = models.CharField(
        max_length=200, help_text="Evidence, joined with ' + ': " + ", ".join(routing.EVIDENCE)
    )
    approver = models.CharField(max_length=200, help_text="Roles, joined with ' + '.")
    turnaround = models.CharField(max_length=50, help_text="e.g. 48h, 1 week, 2 weeks")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.level}: {self.approver} ({self.turnaround})"

    def clean(self):
        errors = {}
        problem = routing.role_list_problem(self.approver)
        if problem:
            errors["approver"] = problem
        problem = routing.evidence_problem(self.requires)
        if problem:
            errors["requires"] = problem
        if routing.parse_turnaround(self.turnaround) is None:
            errors["turnaround"] = routing.TURNAROUND_RULE
        if errors:
            raise ValidationError(errors)


class RiskValidity(models.Model):
    risk = models.CharField(max_length=10, choices=Risk.choices, unique=True)
    months = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name_plural = "validity by risk"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(months__gte=1, months__lte=24), name="validity_1_to_24_months"
            )
        ]

    def __str__(self):
        return f"{self.risk}: {self.months} months"


class DataClassification(models.Model):
    """The security review's data classification table."""

    class Access(models.TextChoices):
        ALLOWED = "ALLOWED"
        RESTRICTED = "RESTRICTED"
        DENIED = "DENIED"

    data_scope = models.CharField(max_length=20, choices=DataScope.choices, unique=True)
    mcp_access = models.CharField(max_length=20, choices=Access.choices)
    conditions = models.CharField(max_length=200, blank=True)
    extra_approver = models.CharField(
        max_length=200, blank=True, help_text="Roles added to every route for this scope."
    )
    denial_reason = models.TextField(
        blank=True, help_text="Given when a request with this scope is denied at submission."
    )

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.data_scope}: {self.mcp_access}"

    def clean(self):
        problem = routing.role_list_problem(self.extra_approver, allow_empty=True)
        if problem:
            raise ValidationError({"extra_approver": problem})


class CapabilityRule(models.Model):
    """A capability change found by the inspection and the lowest bump level it allows
    (issue 14): a bump that adds a tool is at least minor, one that adds a destructive or
    open-world tool major. A change with no row raises nothing."""

    change = models.CharField(max_length=30, unique=True,
                              choices=list(capabilities.CHANGES.items()))
    min_level = models.CharField(max_length=10, choices=BumpLevel.choices,
                                 help_text="A bump with this change is routed at least so.")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_change_display()}: at least {self.min_level}"

    def clean(self):
        problem = capabilities.level_rule_problem(self.change, self.min_level)
        if problem:
            raise ValidationError({"min_level" if self.change in capabilities.CHANGES
                                   else "change": problem})
