"""Audit: every model is registered with django-auditlog, and every change made outside a
web request (services called from commands and jobs) names its actor."""

import contextlib
import json

from auditlog.context import auditlog_value, set_actor
from auditlog.registry import auditlog
from django.contrib.auth import get_user_model

from .policy import secrets

SYSTEM_USERNAME = "system"


def register_models():
    from django.contrib.auth.models import Group
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    from approvals.models import Comment, Notification, Request, RequestEvent, SignOff
    from registry.models import Approval, ExportSnapshot, Server

    from .models import (
        DataClassification,
        IncidentResponse,
        Organisation,
        RiskValidity,
        VersionBumpRule,
    )

    for model in (Organisation, IncidentResponse, VersionBumpRule, RiskValidity,
                  DataClassification, Server, SignOff, Comment, RequestEvent, Notification,
                  PeriodicTask, CrontabSchedule, IntervalSchedule):
        if not auditlog.contains(model):
            auditlog.register(model)
    # Config diffs show what runs (command, args, url) but not env and header values.
    for model in (Approval, Request):
        if not auditlog.contains(model):
            auditlog.register(model, mask_fields=["config"],
                              mask_callable="governance.audit.mask_config")
    if not auditlog.contains(ExportSnapshot):
        auditlog.register(
            ExportSnapshot, exclude_fields=["registry_yaml", "managed_mcp_json",
                                            "managed_settings_json", "diff"]
        )
    from .models import ApiToken

    if not auditlog.contains(ApiToken):
        # Who made or revoked which token (by its first characters), never its digest.
        auditlog.register(ApiToken, exclude_fields=["digest", "last_used"])
    user_model = get_user_model()
    if not auditlog.contains(user_model):
        auditlog.register(user_model, exclude_fields=["password", "last_login"],
                          m2m_fields={"groups"})
    if not auditlog.contains(Group):
        auditlog.register(Group)


def mask_config(value: str) -> str:
    """A config as the audit trail keeps it: env and header values hidden (placeholders such
    as ${VAR} stay readable), everything else as it is, so a reviewer sees what changed."""
    try:
        config = json.loads(value)
    except (TypeError, ValueError):
        return "*" * len(value or "")
    if not isinstance(config, dict):
        return value
    for key in ("env", "headers"):
        if isinstance(config.get(key), dict):
            config[key] = {
                name: v if isinstance(v, str) and secrets.PLACEHOLDER.fullmatch(v) else "••••"
                for name, v in config[key].items()
            }
    return json.dumps(config, sort_keys=True)


def system_user():
    """The actor of jobs and commands run without a named user."""
    user, _ = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_active": False, "email": "", "first_name": "System"},
    )
    return user


@contextlib.contextmanager
def acting_as(user):
    """Record `user` (or the system user) as the actor of the audit entries written inside.

    django-auditlog's set_actor replaces its context and never restores it: nested inside
    the middleware's own, the outer signal receiver would stay connected for good and the
    request's later writes would lose their actor. So the outer context (the request's
    address included) is put back afterwards."""
    outer = auditlog_value.get(None)
    try:
        with set_actor(user or system_user(), remote_addr=(outer or {}).get("remote_addr"),
                       remote_port=(outer or {}).get("remote_port")):
            yield
    finally:
        if outer is not None:
            auditlog_value.set(outer)
