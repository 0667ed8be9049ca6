"""The catalog: servers, their approvals (registry entries) and export snapshots."""

import datetime as dt

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from governance.models import DataScope, Risk, SingletonModel
from governance.policy import names, run_keys


class PackageRegistry(models.TextChoices):
    NPM = "npm", "npm"
    PYPI = "pypi", "PyPI"
    OCI = "oci", "OCI image"


# The key each package registry takes in mcp-registry.yaml.
PACKAGE_KEYS = {"npm": "npm_package", "pypi": "pypi_package", "oci": "oci_image"}


class Server(models.Model):
    name = models.CharField(
        max_length=64,
        unique=True,
        validators=[RegexValidator(names.SERVER_NAME, "lower-case letters, digits, . _ - only")],
    )
    source = models.CharField(
        max_length=500, blank=True, help_text="An https:// URL, or 'internal' for company-built."
    )
    package_registry = models.CharField(max_length=10, choices=PackageRegistry.choices, blank=True)
    package = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        # The check API finds a server by the package a config runs, whatever its case.
        indexes = [models.Index(Lower("package"), name="server_package_lower")]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("server-detail", args=[self.name])


# ─── "is this approval in force today?" ─────────────────────────────────────────────
# The one rule (SPEC §4 rule 7), in two forms that say the same: `in_force` for rows already
# in memory and `in_force_q` for queries. An approval is in force while it is active and its
# expiry day has not passed, whether or not the expiry job has run yet; everything that shows
# or deploys approvals (exports, catalog, check API, jobs, dashboard) asks one of the two.


def in_force(status: str, expires: dt.date, today: dt.date) -> bool:
    return status == Approval.Status.ACTIVE and expires >= today


def in_force_q(today: dt.date) -> Q:
    return Q(status=Approval.Status.ACTIVE, expires__gte=today)


def lapsed(status: str, expires: dt.date, today: dt.date) -> bool:
    """Expired, or still marked active but past its expiry (the job has not run yet)."""
    return status == Approval.Status.EXPIRED or (
        status == Approval.Status.ACTIVE and not in_force(status, expires, today))


def lapsed_q(today: dt.date) -> Q:
    return Q(status=Approval.Status.EXPIRED) | (
        Q(status=Approval.Status.ACTIVE) & ~in_force_q(today))


class ApprovalQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Approval.Status.ACTIVE)

    def deployable(self, today: dt.date | None = None):
        """In force today: active and not past expiry (see `in_force`)."""
        return self.filter(in_force_q(today or timezone.localdate()))

    def lapsed(self, today: dt.date | None = None):
        return self.filter(lapsed_q(today or timezone.localdate()))

    def past_expiry(self, today: dt.date | None = None):
        """Still marked active but no longer in force: what the expiry job expires."""
        return self.active().exclude(in_force_q(today or timezone.localdate()))


class Approval(models.Model):
    """One approved, exact version of a server: an entry of the registry's `approved`."""

    class Status(models.TextChoices):
        ACTIVE = "active"
        EXPIRED = "expired"
        SUPERSEDED = "superseded"
        REVOKED = "revoked"

    server = models.ForeignKey(Server, on_delete=models.PROTECT, related_name="approvals")
    version = models.CharField(max_length=100)
    data_scope = models.CharField(max_length=20, choices=DataScope.choices)
    risk = models.CharField(max_length=10, choices=Risk.choices)
    rationale = models.TextField(blank=True)
    restrictions = models.JSONField(default=list, blank=True)
    excluded_tools = models.JSONField(
        default=list, blank=True,
        help_text="Tools of the server this approval does not cover (denied in the clients).")
    config = models.JSONField(default=dict)
    approved_by = models.CharField(max_length=500, help_text="E-mail addresses, comma-separated.")
    approvers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    approved_date = models.DateField()
    expires = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    request = models.OneToOneField(
        "approvals.Request", null=True, blank=True, on_delete=models.PROTECT,
        related_name="resulting_approval",
    )
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="owned_approvals",
        help_text="Told about upstream releases: the requester, unless the security team "
                  "names another person.")
    created_at = models.DateTimeField(default=timezone.now)
    # What the config runs, kept with it (save() sets both from `config`) so that the check
    # API looks an approval up by index instead of reading every one.
    run_digest = models.CharField(
        max_length=64, blank=True, db_index=True, editable=False,
        help_text="sha256 of what the config runs (governance.policy.run_keys).")
    url_host = models.CharField(max_length=255, blank=True, db_index=True, editable=False)

    objects = ApprovalQuerySet.as_manager()

    class Meta:
        ordering = ["server__name", "-approved_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["server"], condition=Q(status="active"),
                name="one_active_approval_per_server",
            ),
            models.CheckConstraint(
                condition=Q(expires__gt=models.F("approved_date")), name="expires_after_approval"
            ),
            models.CheckConstraint(
                condition=~Q(data_scope="RESTRICTED"), name="restricted_data_never_approved"
            ),
        ]
        indexes = [models.Index(fields=["status", "expires"])]

    def __str__(self):
        return f"{self.server.name} {self.version} ({self.status})"

    def save(self, *args, **kwargs):
        self.set_run_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "config" in update_fields:
            kwargs["update_fields"] = {*update_fields, "run_digest", "url_host"}
        super().save(*args, **kwargs)

    def set_run_keys(self) -> None:
        self.run_digest, self.url_host = run_keys.lookup_columns(self.config)

    @property
    def days_left(self) -> int:
        return (self.expires - timezone.localdate()).days

    @property
    def is_remote(self) -> bool:
        return self.config.get("type") in ("http", "sse")

    def is_in_force(self, today: dt.date | None = None) -> bool:
        return in_force(self.status, self.expires, today or timezone.localdate())

    def status_today(self, today: dt.date | None = None) -> str:
        """The status a person should read: an approval past its expiry is expired, even
        before the expiry job has marked it."""
        return self.Status.EXPIRED if lapsed(self.status, self.expires, today or (
            timezone.localdate())) else self.status


class ExportFragment(models.Model):
    """An approval's entry in the registry YAML as the last build wrote it, kept so that a
    build after one change writes one entry, not every one (registry.services.fragments).
    Used only while `seal` matches: an HMAC, keyed with SECRET_KEY, of the digest of the
    approval's values as the build reads them and of this text; a change of either is
    written anew."""

    approval = models.OneToOneField(Approval, primary_key=True, on_delete=models.CASCADE,
                                    related_name="export_fragment")
    seal = models.BinaryField(max_length=32)
    text = models.TextField()

    def __str__(self):
        return f"registry YAML entry of approval {self.approval_id}"


class ExportSnapshot(models.Model):
    """An immutable build of every export format, with its hash and a diff to the previous."""

    FILES = ("mcp-registry.yaml", "managed-mcp.json", "managed-settings.json")

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    cause = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    file_sha256 = models.JSONField(default=dict)
    registry_yaml = models.TextField()
    managed_mcp_json = models.TextField()
    managed_settings_json = models.TextField()
    # Each file gzipped once, when built, for the clients that accept gzip (the API serves
    # these bytes as they are). Empty in snapshots built before they were kept.
    registry_yaml_gz = models.BinaryField(default=b"", editable=False)
    managed_mcp_json_gz = models.BinaryField(default=b"", editable=False)
    managed_settings_json_gz = models.BinaryField(default=b"", editable=False)
    diff = models.TextField(blank=True)
    valid_until = models.DateField(
        null=True, blank=True,
        help_text="The earliest expiry in the deployable files: after it they must be rebuilt.",
    )
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)
    revision = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The registry revision it was built from.")

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = ["created_at", "id"]
        constraints = [
            # Each snapshot has one successor at most: two concurrent builds cannot fork.
            models.UniqueConstraint(fields=["previous"], name="one_successor_per_snapshot"),
        ]

    def __str__(self):
        return f"export {self.pk} {self.sha256[:12]} ({self.cause})"

    def get_absolute_url(self) -> str:
        return reverse("export-detail", args=[self.pk])

    def content(self, filename: str) -> str:
        return getattr(self, self.COLUMNS[filename])

    # The column of each file, and of its gzipped bytes.
    COLUMNS = {"mcp-registry.yaml": "registry_yaml", "managed-mcp.json": "managed_mcp_json",
               "managed-settings.json": "managed_settings_json"}
    GZIP_COLUMNS = {name: f"{column}_gz" for name, column in COLUMNS.items()}



class RegistryRevision(SingletonModel):
    """One row: the registry's revision and what the served export files are built from.

    Every change of what the files show (a decision, a revocation, an expiry, an import, an
    edit in the admin...) bumps `number` in the transaction of the change
    (`registry.services.registry_changed`). A build records the revision it read before
    rendering in `exported`, with the snapshot that is current for it (new, or the previous
    one when nothing changed) and the earliest expiry in its deployable files. The files are
    served only while `is_current` holds; otherwise they are rebuilt first."""

    number = models.PositiveBigIntegerField(default=0)
    cause = models.CharField(max_length=200, blank=True, help_text="The latest change.")
    changed_at = models.DateTimeField(default=timezone.now)
    exported = models.PositiveBigIntegerField(default=0)
    snapshot = models.ForeignKey(ExportSnapshot, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    file_sha256 = models.JSONField(default=dict, blank=True)
    valid_until = models.DateField(
        null=True, blank=True,
        help_text="The earliest expiry in the deployable files: after it they must be rebuilt.")

    class Meta:
        verbose_name = "registry revision"

    def __str__(self):
        return f"revision {self.number} (exported {self.exported})"


def is_current(*, number: int, exported: int, snapshot_id: int | None,
               valid_until: dt.date | None, today: dt.date | None = None) -> bool:
    """The one staleness rule of the served files: a snapshot exists, it was built at or
    after the latest committed change, and no approval in it has passed its expiry since
    (an expiry by date changes the files without any write)."""
    today = today or timezone.localdate()
    return (snapshot_id is not None and exported >= number
            and (valid_until is None or today <= valid_until))


# ─── the upstream release watch ─────────────────────────────────────────────────────


class UpstreamRelease(models.Model):
    """What the daily watch found upstream for an approval, once per release: a newer
    release than the pin ("update available", with its bump level and release date), or the
    approved release itself deprecated, yanked or unpublished ("withdrawn")."""

    class Kind(models.TextChoices):
        UPDATE = "update", "update available"
        WITHDRAWN = "withdrawn", "approved release withdrawn upstream"

    approval = models.ForeignKey(Approval, on_delete=models.CASCADE,
                                 related_name="upstream_releases")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    version = models.CharField(max_length=100)
    level = models.CharField(max_length=10, blank=True, help_text="patch / minor / major")
    released_at = models.DateTimeField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    found_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-found_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["approval", "kind", "version"],
                                    name="one_finding_per_release"),
        ]

    def __str__(self):
        return f"{self.approval.server.name} {self.kind} {self.version}"


class UpstreamCheck(models.Model):
    """The watch's last answer from a package's registry: consecutive failures are counted
    so that administrators hear of a registry that keeps failing, once per failing spell."""

    package_registry = models.CharField(max_length=10, choices=PackageRegistry.choices)
    package = models.CharField(max_length=300)
    checked_at = models.DateTimeField(null=True, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="Consecutive failures.")
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["package_registry", "package"],
                                    name="one_check_per_package"),
        ]

    def __str__(self):
        return f"{self.package_registry}:{self.package}"
