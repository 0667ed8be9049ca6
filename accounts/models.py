"""Accounts' records: API tokens (how scripts and the hook act as their user) and the
link to the company's identity provider (external identities, group mapping, SCIM)."""

from django.conf import settings
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


# ─── sign-in with the company's identity provider (SPEC §10) ─────────────────────────────

class MappedRole(models.TextChoices):
    """What a group of the identity provider may give: one of the four roles, the
    administrator's rights, or only the right to sign in (and file requests)."""

    MEMBER = "member", "Member (may sign in and file requests)"
    TECH_LEAD = "tech_lead", "Tech lead"
    SECURITY_TEAM = "security_team", "Security team"
    ENGINEERING_DIRECTOR = "engineering_director", "Engineering director"
    PLATFORM_TEAM = "platform_team", "Platform team"
    ADMINISTRATOR = "administrator", "Administrator"


class GroupRoleMapping(models.Model):
    """One group of the identity provider and the portal role it gives. `group` is a value
    as the provider sends it: in the groups claim at sign-in (Okta: the group's name; Entra
    ID: its object id) or as a SCIM group's displayName or externalId. Settings may add
    more (OIDC_GROUP_ROLES); both are read at every sign-in."""

    group = models.CharField(max_length=255, help_text=(
        "The group as the identity provider sends it: a value of the groups claim, or a "
        "SCIM group's displayName or externalId. Compared exactly."))
    role = models.CharField(max_length=30, choices=MappedRole.choices)

    class Meta:
        ordering = ["group", "role"]
        constraints = [models.UniqueConstraint(fields=["group", "role"],
                                               name="one_mapping_per_group_and_role")]

    def __str__(self):
        return f"{self.group} → {self.get_role_display()}"


class ExternalIdentity(models.Model):
    """The link from a portal user to the person at the identity provider: `subject` is the
    stable identifier (the ID token's `sub`, or the claim OIDC_USER_ID_CLAIM names, such as
    Entra ID's `oid`), which SCIM sends as the user's externalId. One person, one account:
    never matched by e-mail."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="external_identity")
    subject = models.CharField(max_length=255, unique=True)
    groups = models.JSONField(default=list, blank=True,
                              help_text="The groups the provider sent last.")
    last_sign_in = models.DateTimeField(null=True, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "external identity"
        verbose_name_plural = "external identities"

    def __str__(self):
        return f"{self.user} ({self.subject})"


class DirectoryGroup(models.Model):
    """A group as the identity provider pushes it through SCIM; its members get the roles
    that the mapping gives its displayName or externalId."""

    display_name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                     related_name="directory_groups")

    class Meta:
        ordering = ["display_name"]

    def __str__(self):
        return self.display_name


class ScimToken(models.Model):
    """A bearer token the identity provider uses for SCIM, made by an administrator: the
    SHA-256 digest of the key and its first characters are stored, never the key."""

    name = models.CharField(max_length=100, help_text="Which provider uses it.")
    prefix = models.CharField(max_length=16, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    last_used = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "SCIM token"
        ordering = ["-created"]

    def __str__(self):
        return f"{self.prefix}… ({self.name})"


class IdentityEvent(models.Model):
    """What the identity provider did, one row each, in the audit trail: a sign-in, a
    refused sign-in and why, a role change it caused, a SCIM call, a deactivation."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_REFUSED = "sign_in_refused", "Sign-in refused"
        ROLES_CHANGED = "roles_changed", "Roles changed by the identity provider"
        SCIM_CALL = "scim_call", "SCIM call"
        SCIM_REFUSED = "scim_refused", "SCIM call refused"
        DEACTIVATED = "deactivated", "Deactivated"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.PROTECT, related_name="identity_events")
    detail = models.CharField(max_length=500)
    data = models.JSONField(default=dict, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.detail}"


# ─── dated delegation of a sign-off duty (issue 15 §2) ───────────────────────────────────

class Delegation(models.Model):
    """`delegator` hands their sign-off duty in `role` to `delegate` from `starts` to `ends`
    (days inclusive, in the portal's time zone). In force only on those days and until ended
    early (`ended_at`); the rule is governance.policy.delegation, the changes
    approvals.services.delegation. Kept for the record: never deleted."""

    SIGNING_ROLES = (("tech_lead", "Tech lead"), ("security_team", "Security team"),
                     ("engineering_director", "Engineering director"))

    delegator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="delegations_given")
    delegate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="delegations_received")
    role = models.CharField(max_length=30, choices=SIGNING_ROLES)
    starts = models.DateField(help_text="The first day the delegate may sign.")
    ends = models.DateField(help_text="The last day the delegate may sign.")
    reason = models.CharField(max_length=200, help_text="Why, e.g. 'holiday'.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True,
                                    help_text="When its delegator ended it early.")
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-starts", "-id"]
        indexes = [models.Index(fields=["delegate", "ends"], name="delegation_delegate_ends")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends__gte=models.F("starts")),
                                   name="delegation_runs_forwards"),
            models.CheckConstraint(condition=~models.Q(delegate=models.F("delegator")),
                                   name="delegation_not_to_oneself"),
        ]

    def __str__(self):
        return (f"{self.delegator} → {self.delegate} as {self.role}, "
                f"{self.starts:%Y-%m-%d} to {self.ends:%Y-%m-%d}")
