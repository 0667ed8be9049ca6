"""The identity provider's people in the portal (SPEC §10): who a token or a SCIM call
names, which roles their groups give, and what happens when they leave.

Every change of state here is one service function: it runs in one transaction, writes an
IdentityEvent (which the audit trail records, with the user's group changes) and, for a
deactivation, sends accounts.signals.user_deactivated so that the workflow above hands the
leaver's work back."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .models import (
    ApiToken,
    DirectoryGroup,
    ExternalIdentity,
    GroupRoleMapping,
    IdentityEvent,
    MappedRole,
    ScimToken,
)
from .roles import ALL_ROLES
from .signals import user_deactivated

logger = logging.getLogger(__name__)
ADMINISTRATOR = MappedRole.ADMINISTRATOR.value


class SignInRefused(Exception):
    """A sign-in through the identity provider that the portal refuses, with the reason a
    person can read (shown on the refusal page, written to the log and the audit trail)."""

    def __init__(self, reason: str, *, code: str, subject: str = ""):
        super().__init__(reason)
        self.reason, self.code, self.subject = reason, code, subject


# ─── the group mapping ───────────────────────────────────────────────────────────────

def group_role_map() -> dict[str, set[str]]:
    """Each provider group and the roles it gives: the rows administrators edit in the admin
    plus OIDC_GROUP_ROLES from the settings."""
    mapping: dict[str, set[str]] = {}
    for group, roles in settings.OIDC_GROUP_ROLES.items():
        mapping.setdefault(group, set()).update(roles)
    for group, role in GroupRoleMapping.objects.values_list("group", "role"):
        mapping.setdefault(group, set()).add(role)
    return mapping


def roles_for_groups(groups: Iterable[str]) -> tuple[frozenset[str], list[str]]:
    """The portal roles (four role names, `administrator`, `member`) that `groups` give, and
    the groups that the mapping knows; a group it does not know gives nothing."""
    mapping = group_role_map()
    known = sorted({g for g in groups if g in mapping})
    return frozenset(role for g in known for role in mapping[g]), known


@transaction.atomic
def apply_roles(*, user, roles: Iterable[str], source: str, address: str | None = None
                ) -> tuple[list[str], list[str]]:
    """Make `user`'s roles exactly what the provider's groups give (`roles`): role groups
    added and removed, the administrator's rights (superuser and staff) given or taken.
    A sign-off given while the role was held stays valid: only the role changes, and the
    audit trail shows when. Returns (added, removed); writes an event when anything changed."""
    roles = set(roles)
    wanted = {r for r in roles if r in ALL_ROLES}
    held = set(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
    added = sorted(wanted - held)
    removed = sorted(held - wanted)
    if added:
        user.groups.add(*(Group.objects.get_or_create(name=r)[0] for r in added))
    if removed:
        user.groups.remove(*Group.objects.filter(name__in=removed))
    admin = ADMINISTRATOR in roles
    if user.is_superuser != admin or user.is_staff != admin:
        (added if admin else removed).append(ADMINISTRATOR)
        user.is_superuser = user.is_staff = admin
        user.save(update_fields=["is_superuser", "is_staff"])
    user.__dict__.pop("_portal_roles", None)
    if added or removed:
        IdentityEvent.objects.create(
            kind=IdentityEvent.Kind.ROLES_CHANGED, user=user, address=address,
            detail=f"{source}: " + "; ".join(
                part for part in (f"added {', '.join(added)}" if added else "",
                                  f"removed {', '.join(removed)}" if removed else "") if part),
            data={"added": added, "removed": removed, "source": source})
    return added, removed


# ─── sign-in through OpenID Connect ─────────────────────────────────────────────────

def claim_groups(claims: dict) -> list[str]:
    """The groups claim (OIDC_GROUPS_CLAIM) as a list of strings; refused when missing."""
    name = settings.OIDC_GROUPS_CLAIM
    value = claims.get(name)
    if value is None:
        raise SignInRefused(
            f"The identity provider sent no '{name}' claim, so the portal cannot tell your "
            "roles. Ask your administrator to add the groups claim to the portal's "
            "application at the identity provider.", code="missing_groups")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(g, str) for g in value):
        raise SignInRefused(f"The '{name}' claim is not a list of group names.",
                            code="bad_groups")
    return value


def _free_username(*candidates: str) -> str:
    User = get_user_model()
    for candidate in candidates:
        candidate = (candidate or "").strip()[:150]
        if candidate and not User.objects.filter(username=candidate).exists():
            return candidate
    base = (candidates[-1] or "user")[:140]
    n = 2
    while User.objects.filter(username=f"{base}-{n}").exists():
        n += 1
    return f"{base}-{n}"


def sign_in_from_claims(*, claims: dict, address: str | None = None):
    """The portal user for verified ID-token claims: matched by the stable identifier
    (OIDC_USER_ID_CLAIM: `sub`, or e.g. Entra ID's `oid`), which is also the externalId of
    a user that SCIM created first; never by e-mail. Created on first sign-in with name and
    e-mail from the claims; roles synced from the groups claim at every sign-in. Refused
    (SignInRefused, nothing changed) without the identifier, without the groups claim, or
    for a deactivated account. Refused too when no group is one the mapping knows; a person
    the portal knows then also loses what the mapping gave them (withdraw_access), since the
    provider no longer lets them in."""
    id_claim = settings.OIDC_USER_ID_CLAIM
    subject = claims.get(id_claim)
    if not isinstance(subject, str) or not subject.strip():
        raise SignInRefused(f"The identity provider sent no '{id_claim}' claim to tell who "
                            "you are.", code="missing_subject")
    groups = claim_groups(claims)
    roles, known = roles_for_groups(groups)
    if not known:
        withdraw_access(subject=subject, groups=groups, address=address)
        raise SignInRefused(
            "None of your groups at the identity provider gives access to the portal "
            f"(it sent: {', '.join(groups) or 'no groups'}). Ask an administrator to map "
            "your group to a portal role.", code="unknown_groups", subject=subject)
    ignored = sorted(set(groups) - set(known))
    if ignored:
        logger.info("sign-in of %s: groups the mapping does not know, ignored: %s",
                    subject, ", ".join(ignored))
    return _sign_in(claims=claims, subject=subject, groups=groups, roles=roles,
                    ignored=ignored, address=address)


@transaction.atomic
def withdraw_access(*, subject: str, groups: list[str], address: str | None = None) -> bool:
    """The provider signs in someone none of whose groups the mapping knows: if the portal
    knows them, their roles (and the administrator's rights) go, as a role change from the
    provider, and their API tokens and their sessions end, as at a deactivation (a
    break-glass account with a password keeps its sessions: the administrators own it).
    Its own transaction, so that the refusal that follows does not roll it back. False for
    a person never seen."""
    identity = (ExternalIdentity.objects.select_for_update().select_related("user")
                .filter(subject=subject).first())
    if identity is None:
        return False
    user = identity.user
    identity.groups = groups
    identity.save(update_fields=["groups"])
    apply_roles(user=user, roles=(), address=address,
                source="sign-in refused: no group the mapping knows")
    if not user.has_usable_password():
        # A fresh unusable password changes the session hash Django checks on each request:
        # the sessions this person opened before (on another machine) end too.
        user.set_unusable_password()
        user.save(update_fields=["password"])
    revoked = _revoke_api_tokens(user)
    if revoked:
        IdentityEvent.objects.create(
            kind=IdentityEvent.Kind.ROLES_CHANGED, user=user, address=address,
            detail=f"{user.username}: {revoked} API token(s) revoked: no group the mapping "
                   "knows gives access to the portal any more",
            data={"api_tokens_revoked": revoked, "groups": groups,
                  "source": "sign-in refused: no group the mapping knows"})
    return True


def _revoke_api_tokens(user) -> int:
    tokens = list(ApiToken.objects.filter(user=user))
    for token in tokens:
        token.delete()  # one by one, so that the audit trail records each
    return len(tokens)


@transaction.atomic
def _sign_in(*, claims: dict, subject: str, groups: list[str], roles: frozenset[str],
             ignored: list[str], address: str | None):
    identity = (ExternalIdentity.objects.select_for_update().select_related("user")
                .filter(subject=subject).first())
    email = claims.get("email") if isinstance(claims.get("email"), str) else ""
    first = claims.get("given_name") if isinstance(claims.get("given_name"), str) else ""
    last = claims.get("family_name") if isinstance(claims.get("family_name"), str) else ""
    if identity is None:
        username = _free_username(str(claims.get("preferred_username") or ""), email, subject)
        user = get_user_model().objects.create_user(username=username, email=email or "")
        user.set_unusable_password()
        identity = ExternalIdentity(user=user, subject=subject)
    else:
        user = identity.user
        if not user.is_active:
            raise SignInRefused("Your portal account is deactivated (you left, or the "
                                "identity provider turned it off).", code="deactivated",
                                subject=subject)
    user.email = email or user.email
    user.first_name = (first or user.first_name)[:150]
    user.last_name = (last or user.last_name)[:150]
    user.last_login = timezone.now()
    user.save()
    identity.groups = groups
    identity.last_sign_in = user.last_login
    identity.save()
    apply_roles(user=user, roles=roles, source="sign-in", address=address)
    IdentityEvent.objects.create(kind=IdentityEvent.Kind.SIGN_IN, user=user, address=address,
                                 detail=(f"{user.username} signed in through the identity "
                                         "provider" + (f"; groups the mapping does not know, "
                                                       f"ignored: {', '.join(ignored)}"
                                                       if ignored else ""))[:500],
                                 data={"subject": subject, "groups": groups,
                                       "unmapped_groups": ignored})
    return user


def record_refusal(*, reason: str, code: str, subject: str = "",
                   address: str | None = None) -> IdentityEvent:
    """A refused sign-in in the log and the audit trail (outside the refused transaction)."""
    logger.warning("sign-in refused (%s): %s", code, reason)
    user = None
    if subject:
        identity = ExternalIdentity.objects.filter(subject=subject).select_related(
            "user").first()
        user = identity.user if identity else None
    return IdentityEvent.objects.create(
        kind=IdentityEvent.Kind.SIGN_IN_REFUSED, user=user, address=address,
        detail=reason[:500], data={"code": code, "subject": subject})


# ─── leavers ─────────────────────────────────────────────────────────────────────────

@transaction.atomic
def deactivate_user(*, user, reason: str, address: str | None = None) -> bool:
    """A leaver: the account is deactivated, never deleted (requests and the audit trail
    refer to it). They can no longer sign in, their sessions end (the authentication
    backends give no user for an inactive account), their API tokens are revoked, and
    `user_deactivated` lets the workflow hand their reviews and approvals over. False if
    the account was already inactive."""
    User = get_user_model()
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return False
    user.is_active = False
    user.save(update_fields=["is_active"])
    ExternalIdentity.objects.filter(user=user).update(deactivated_at=timezone.now())
    revoked = _revoke_api_tokens(user)
    IdentityEvent.objects.create(kind=IdentityEvent.Kind.DEACTIVATED, user=user,
                                 address=address, detail=f"{user.username}: {reason}"[:500],
                                 data={"api_tokens_revoked": revoked})
    user_deactivated.send(sender=User, user=user, reason=reason)
    return True


@transaction.atomic
def reactivate_user(*, user, reason: str, address: str | None = None) -> bool:
    """The provider turns an account back on (SCIM active: true)."""
    if user.is_active:
        return False
    user.is_active = True
    user.save(update_fields=["is_active"])
    ExternalIdentity.objects.filter(user=user).update(deactivated_at=None)
    IdentityEvent.objects.create(kind=IdentityEvent.Kind.SCIM_CALL, user=user,
                                 address=address,
                                 detail=f"{user.username} reactivated: {reason}"[:500])
    return True


def sync_directory_roles(*, users: Iterable, address: str | None = None) -> None:
    """Roles from SCIM group membership: each user's roles become what the mapping gives the
    displayName or externalId of the directory groups they are in."""
    for user in users:
        values = set()
        for name, external_id in DirectoryGroup.objects.filter(members=user).values_list(
                "display_name", "external_id"):
            values.update(v for v in (name, external_id) if v)
        roles, _known = roles_for_groups(values)
        apply_roles(user=user, roles=roles, source="SCIM group membership", address=address)


# ─── SCIM tokens ─────────────────────────────────────────────────────────────────────

SCIM_KEY_PREFIX = "scim_"


def scim_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue_scim_token(*, name: str, created_by=None) -> tuple[ScimToken, str]:
    """A bearer token for the identity provider's SCIM client; the key is returned once and
    stored only as its SHA-256 digest (a random 256-bit key needs no slow hash)."""
    key = SCIM_KEY_PREFIX + secrets.token_urlsafe(32)
    token = ScimToken.objects.create(name=name.strip()[:100] or "SCIM", prefix=key[:12],
                                     digest=scim_digest(key), created_by=created_by)
    return token, key


def scim_token_for(key: str) -> ScimToken | None:
    """The SCIM token whose key this is, or None; its last use noted."""
    if not key or len(key) > 200:
        return None
    token = ScimToken.objects.filter(digest=scim_digest(key)).first()
    if token is not None:
        ScimToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return token
