"""The four roles of SPEC §3, held as Django groups with exactly these names."""

from django.contrib.auth.models import Group
from django.db import models

from governance.compiled import CompiledRead

from .delegations import delegated_roles


class Role(models.TextChoices):
    TECH_LEAD = "tech_lead", "Tech lead"
    SECURITY_TEAM = "security_team", "Security team"
    ENGINEERING_DIRECTOR = "engineering_director", "Engineering director"
    PLATFORM_TEAM = "platform_team", "Platform team"


ALL_ROLES = tuple(Role.values)
QUEUE_ROLES = frozenset({Role.SECURITY_TEAM, Role.TECH_LEAD, Role.ENGINEERING_DIRECTOR})
EXPORT_ROLES = frozenset({Role.PLATFORM_TEAM, Role.SECURITY_TEAM})
AUDIT_ROLES = frozenset({Role.SECURITY_TEAM})


# Read on every page: compiled once (issue 10).
_GROUPS = CompiledRead(lambda user_id: Group.objects.filter(user=user_id).values_list("name"))


def roles_of(user) -> frozenset[str]:
    """The role names a user holds; cached on the user object for one request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = frozenset(name for (name,) in _GROUPS.rows(user.pk) if name in ALL_ROLES)
        user._portal_roles = cached
    return cached


def has_role(user, role) -> bool:
    return role in roles_of(user)


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


SIGNING_ROLES = frozenset({Role.TECH_LEAD, Role.SECURITY_TEAM, Role.ENGINEERING_DIRECTOR})


def signing_roles(user) -> frozenset[str]:
    """The roles `user` may sign in today: held, or delegated to them by someone away
    (accounts.delegations; no query for someone who is no delegate today)."""
    return (roles_of(user) & SIGNING_ROLES) | delegated_roles(user)


def can_see_queue(user) -> bool:
    """The queue and every request on it: for the signing roles, held or delegated today
    (a delegate reads what they sign), and administrators."""
    return is_admin(user) or bool(roles_of(user) & QUEUE_ROLES) or bool(delegated_roles(user))


def can_manage_reviews(user) -> bool:
    """Claim, assign, change status, set risk and final data scope."""
    return has_role(user, Role.SECURITY_TEAM)


def can_download_exports(user) -> bool:
    return is_admin(user) or bool(roles_of(user) & EXPORT_ROLES)


def can_read_audit(user) -> bool:
    return is_admin(user) or bool(roles_of(user) & AUDIT_ROLES)

