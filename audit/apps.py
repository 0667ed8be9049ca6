from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        # Models can be imported only once every app is loaded, hence here. This app
        # registers the models of the layers below it, which cannot import it: the policy
        # rows, users, groups and tokens, and the beat schedule.
        from auditlog.models import LogEntry
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.db.models.signals import post_save
        from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

        from accounts.models import (
            ApiToken,
            Delegation,
            DirectoryGroup,
            ExternalIdentity,
            GroupRoleMapping,
            IdentityEvent,
            ScimToken,
        )
        from governance.models import (
            CapabilityRule,
            DataClassification,
            IncidentResponse,
            Organisation,
            RiskValidity,
            VersionBumpRule,
        )

        from .registration import register

        # Every entry saved one at a time (django-auditlog's receivers, the admin) is
        # chained in its save's transaction; the set-based writes chain their own.
        post_save.connect(_chain_saved, sender=LogEntry, dispatch_uid="audit-chain")

        register(Organisation, IncidentResponse, VersionBumpRule, RiskValidity, CapabilityRule,
                 DataClassification, PeriodicTask, CrontabSchedule, IntervalSchedule, Group)
        register(get_user_model(), exclude_fields=["password", "last_login"],
                 m2m_fields={"groups"})
        # Who made or revoked which token (by its first characters), never its digest.
        register(ApiToken, exclude_fields=["digest", "last_used"])
        # The identity provider: sign-ins, refusals, role changes, SCIM calls (IdentityEvent),
        # the mapping, the links, SCIM groups and tokens (never a token's digest).
        register(IdentityEvent, GroupRoleMapping, ExternalIdentity)
        register(DirectoryGroup, m2m_fields={"members"})
        register(ScimToken, exclude_fields=["digest", "last_used"])
        # Who handed whose sign-off duty to whom, for when, and who ended it (issue 15 §2).
        register(Delegation)


def _chain_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from .chain import append, row_of

        append([row_of(instance)])
