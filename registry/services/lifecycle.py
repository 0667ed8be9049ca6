"""An approval's life in the registry: made active (superseding the older one), recorded
from an approved request, expired when due, revoked; and the checks of a server's
catalog entry against its active approval."""

from __future__ import annotations

import copy
import datetime as dt

from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Concat
from django.utils import timezone

from accounts.roles import can_manage_reviews
from audit.actors import acting_as, system_user
from audit.writes import audit_set_update, audit_written
from governance.errors import Conflict, Errors, InvalidInput, NotAllowed
from governance.policy import identity, names, tools, validity

from .. import signals
from ..models import Approval, Server
from .revision import registry_changed


def _email(user) -> str:
    return user.email or user.get_username()


def activate(*, server: Server, approval: Approval, approvers=()) -> Approval:
    """Make `approval` (not saved yet) the server's active one: the older active approval,
    if any, is superseded by it (SPEC §4 rule 5). The one way an approval becomes active,
    for the workflow and the importer alike. The caller holds the server's row lock."""
    old = Approval.objects.select_for_update().filter(
        server=server, status=Approval.Status.ACTIVE).first()
    if old:
        old.status = Approval.Status.SUPERSEDED
        old.status_changed_at = timezone.now()
        old.save()
    approval.server = server
    approval.status = Approval.Status.ACTIVE
    approval.save()
    if approvers:
        approval.approvers.set(approvers)
    if old:
        old.superseded_by = approval
        old.save(update_fields=["superseded_by"])
    signals.active_approval_changed.send(sender=Approval, server_ids=[server.pk], actor=None)
    return approval


def activate_many(*, approvals: list[tuple[Approval, list]], actor=None) -> list[Approval]:
    """`activate` for many servers at once (the importer's): each approval (not saved, its
    `server` set, one per server) becomes its server's active one, and the older active one
    of that server is superseded by it (SPEC §4 rule 5), in a fixed number of statements
    per thousand, with one audit entry per approval made and per approval superseded. The
    caller holds the servers' row locks."""
    if not approvals:
        return []
    now = timezone.now()
    olds = {a.server_id: a for a in Approval.objects.select_for_update(of=("self",))
            .select_related("server").filter(
        server__in=[approval.server for approval, _ in approvals],
        status=Approval.Status.ACTIVE)}
    Approval.objects.filter(pk__in=[old.pk for old in olds.values()]).update(
        status=Approval.Status.SUPERSEDED, status_changed_at=now)
    made = []
    for approval, _ in approvals:
        approval.status = Approval.Status.ACTIVE
        approval.set_run_keys()  # as save() does
        made.append(approval)
    Approval.objects.bulk_create(made, batch_size=1000)
    Approval.approvers.through.objects.bulk_create(
        [Approval.approvers.through(approval_id=approval.pk, user_id=user.pk)
         for approval, approvers in approvals for user in approvers], batch_size=1000)
    superseded = []
    for approval in made:
        old = olds.get(approval.server_id)
        if old is not None:
            before = copy.copy(old)
            old.status, old.status_changed_at = Approval.Status.SUPERSEDED, now
            old.superseded_by = approval
            superseded.append((before, old))
    Approval.objects.bulk_update([old for _, old in superseded], ["superseded_by"],
                                 batch_size=1000)
    audit_written([(None, approval) for approval in made] + superseded,
                  actor=actor, now=now)
    signals.active_approval_changed.send(
        sender=Approval, server_ids=[approval.server_id for approval in made], actor=None)
    return made


def record_approval(*, request, signoffs, policy_data, today: dt.date) -> Approval:
    """Create the Approval of an approved request and supersede the server's older active
    one (SPEC §4 rules 5 and 7). Called by the workflow service inside its transaction,
    which holds the server's row lock (taken before the request's)."""
    server = Server.objects.select_for_update().get(pk=request.server_id)
    approvers = [s.user for s in signoffs if s.decision == "approve"]
    expires = validity.expiry_for(approved=today, risk=request.risk, policy=policy_data,
                                shortened=[s.expires for s in signoffs])
    if request.kind == "new_server":
        server.source = request.source or server.source
        server.package = request.package or server.package
        server.package_registry = request.package_registry or server.package_registry
    named = not server.package and identity.registry_package(request.config)[1]
    if named:
        # The registry YAML names the package the allowlist pins (SPEC §4 rule 12), and
        # every later bump is held to it.
        server.package_registry, server.package = identity.registry_package(request.config)
    if request.kind == "new_server" or named:
        server.save()
    approval = activate(server=server, approvers=approvers, approval=Approval(
        version=request.version, data_scope=request.effective_data_scope,
        risk=request.risk, rationale=request.rationale or request.use_case,
        restrictions=request.restrictions, config=request.config,
        excluded_tools=tools.clean_excluded_tools(request.excluded_tools),
        approved_by=", ".join(_email(u) for u in approvers), approved_date=today,
        expires=expires, request=request, owner_id=request.requester_id,
    ))
    registry_changed(cause=f"{server.name} {approval.version} approved (request #{request.pk})")
    return approval


@transaction.atomic
def expire_due_approvals(*, today: dt.date | None = None, actor=None) -> list[int]:
    """Active approvals past their expiry become expired, in one set-based update, with an
    audit entry each; the export is rebuilt. Returns the ids it expired (none the 2nd time)."""
    today = today or timezone.localdate()
    now = timezone.now()
    # One UPDATE, which locks the rows it changes; they are then exactly those this
    # transaction marked at `now`, read back for the audit rows and the ids (no SELECT ...
    # FOR UPDATE first: that wrote a lock on every row before the UPDATE wrote it again).
    if not Approval.objects.past_expiry(today).update(
            status=Approval.Status.EXPIRED, status_changed_at=now):
        return []
    expired = Approval.objects.filter(status=Approval.Status.EXPIRED, status_changed_at=now)
    audit_set_update(
        expired, changes={"status": ["active", "expired"]}, actor=actor or system_user(),
        now=now, repr_expression=Concat("server__name", Value(" "), "version",
                                        Value(" (expired)"), output_field=CharField()),
    )
    rows = list(expired.order_by("pk").values_list("pk", "server_id"))
    ids = [pk for pk, _ in rows]
    registry_changed(cause=f"{len(ids)} approval(s) expired")
    # After commit: the workflow then locks each server before its requests, as every
    # change does, and never waits on the approval rows this update holds.
    server_ids = sorted({server_id for _, server_id in rows})
    transaction.on_commit(lambda: signals.active_approval_changed.send(
        sender=Approval, server_ids=server_ids, actor=actor))
    return ids


@transaction.atomic
def revoke_approval(*, actor, approval: Approval | int, reason: str) -> Approval:
    """Withdraw an active approval at once (an incident, a CVE): the security team only,
    with a reason; audited, notified to its people and the platform team, and out of the
    served files at once.

    Lock order: the server's row first, then the approval, as the workflow's final sign-off
    does (approvals.services.signoff._check_decidable). So a revocation and the approval of
    a bump or renewal of the same server run one after the other, never past each other: either
    the revocation comes first, and the bump's final sign-off is refused (409: the approval
    it was classified against is no longer active), or the bump does, and the revocation is
    refused with a message naming the approval that replaced this one."""
    if not can_manage_reviews(actor):
        raise NotAllowed("Only the security team can revoke an approval.")
    return _revoke(actor=actor, approval=approval, reason=reason)


@transaction.atomic
def retire_approval(*, actor, approval: Approval | int, reason: str) -> Approval:
    """Revoke an approval in a recertification campaign: its owner's answer "retire", or
    the campaign's rule when no one answered by the due date. The campaign's service has
    checked that `actor` may (the owner, the security team, or the system user for the
    job); the revocation is the same as the security team's, audited and notified."""
    return _revoke(actor=actor, approval=approval, reason=reason)


def _revoke(*, actor, approval: Approval | int, reason: str) -> Approval:
    pk = approval.pk if isinstance(approval, Approval) else approval
    Server.objects.select_for_update(of=("self",)).filter(approvals=pk).first()
    approval = (Approval.objects.select_for_update(of=("self",))
                .select_related("server", "superseded_by").get(pk=pk))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why the approval is revoked.",
                           {"reason": ["is required: say why it is revoked (an incident, a "
                                       "CVE...)"]})
    name = approval.server.name
    if approval.status == Approval.Status.SUPERSEDED and approval.superseded_by:
        newer = approval.superseded_by
        raise Conflict(
            f"{name} {approval.version} is no longer active: it was superseded by "
            f"{newer.version} (approval #{newer.pk}), which is {newer.status} now. Nothing "
            "was revoked.",
            {"approval": [f"approval #{approval.pk} was superseded by approval #{newer.pk} "
                          f"({name} {newer.version}): if that one must go too, revoke it"]},
            link=approval.server.get_absolute_url(), conflict={"approval_id": newer.pk})
    if approval.status != Approval.Status.ACTIVE:
        raise Conflict(
            f"Only an active approval can be revoked; {name} {approval.version} is "
            f"{approval.status}. Nothing was revoked.",
            {"approval": [f"approval #{approval.pk} is {approval.status}, which is final"]},
            link=approval.server.get_absolute_url())
    with acting_as(actor):
        approval.status = Approval.Status.REVOKED
        approval.status_changed_at = timezone.now()
        approval.rationale = f"{approval.rationale}\nRevoked: {reason}".strip()
        approval.save()
        # Its people are told in this transaction (notifications receives the signal).
        signals.approval_revoked.send(sender=Approval, approval=approval, actor=actor,
                                      reason=reason)
        # Its open bumps and renewals are withdrawn by the system, saying why.
        signals.active_approval_changed.send(sender=Approval, server_ids=[approval.server_id],
                                             actor=None)
    registry_changed(cause=f"{name} {approval.version} revoked")
    return approval


@transaction.atomic
def set_approval_owner(*, actor, approval: Approval | int, owner) -> Approval:
    """Name the person told about an approval's upstream releases (by default its
    requester): the security team only; audited."""
    if not can_manage_reviews(actor):
        raise NotAllowed("Only the security team can name an approval's owner.")
    pk = approval.pk if isinstance(approval, Approval) else approval
    approval = Approval.objects.select_for_update(of=("self",)).get(pk=pk)
    if owner is not None and not owner.is_active:
        raise InvalidInput("The owner must be an active user.",
                           {"owner": [f"{owner.get_username()} is deactivated"]})
    with acting_as(actor):
        approval.owner = owner
        approval.save(update_fields=["owner"])
    return approval


def check_server_fields(*, server: Server | None, name: str, source: str, package: str,
                        package_registry: str) -> None:
    """The catalog entry of a server as an administrator edits it (SPEC §4 rules 11, 12):
    a valid name, source and package, and, while it has an active approval, the package
    that approval's config runs, so that the registry YAML and the allowlist agree."""
    errors = Errors()
    errors.add("name", names.name_problem(name))
    if source:
        errors.add("source", names.source_problem(source))
    errors.add("package", names.package_problem(package))
    active = (Approval.objects.active().filter(server=server).first()
              if server is not None and server.pk else None)
    if active and package and not errors.by_field.get("package") and (
            (package, package_registry) != (server.package, server.package_registry)):
        for messages in identity.package_problems(
                active.config, package=package, package_registry=package_registry).values():
            for message in messages:
                errors.add("package", f"the active approval ({active.version}) does not "
                                      f"run this package: {message}")
    errors.raise_if_any("The server's entry breaks the rules below; nothing was saved.")
