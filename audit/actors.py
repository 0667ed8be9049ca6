"""Who did it: every change made outside a web request (services called from commands and
jobs) names its actor, the system user when no person acts."""

import contextlib

from auditlog.context import auditlog_value, set_actor
from django.contrib.auth import get_user_model

SYSTEM_USERNAME = "system"


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
