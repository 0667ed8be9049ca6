"""Changes of the registry: approvals recorded, expired and revoked; export snapshots built;
registry files imported. Every one runs in one transaction and names its actor."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import difflib
import hashlib

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Concat
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from accounts.roles import can_manage_reviews
from audit.actors import acting_as, system_user
from audit.writes import audit_set_update
from governance.errors import Conflict, Errors, InvalidInput, NotAllowed
from governance.locks import job_lock
from governance.policy import identity, names, validity
from governance.transactions import after_commit_task

from . import formats, signals
from .models import Approval, ExportSnapshot, RegistryRevision, Server
from .selectors import ExportState, export_state, latest_snapshot, registry_contents


def _email(user) -> str:
    return user.email or user.get_username()


# ─── the registry revision ──────────────────────────────────────────────────────────

# Inside `one_change`, the changes a service makes count as one, recorded at its end.
_batched = contextvars.ContextVar("registry_changes_batched", default=False)


def registry_changed(*, cause: str) -> None:
    """Record that what the export files show has changed (SPEC §6.5): bump the registry
    revision in the caller's transaction, so that no reader is ever served files older than
    a committed change, and queue a build for after the commit. The queue only makes the
    build sooner: when it cannot take the work, the next reader builds the files itself
    (`current_export`). Every change of the registry calls this, whoever makes it.

    Lock order: call it last in a transaction, once the rows of the change are locked and
    written. The revision row is the last lock a change takes, so two changes never wait on
    each other in a cycle through it."""
    if _batched.get():
        return
    fields = dict(number=F("number") + 1, cause=cause[:200], changed_at=timezone.now())
    if not RegistryRevision.objects.filter(pk=1).update(**fields):
        RegistryRevision.load()
        RegistryRevision.objects.filter(pk=1).update(**fields)
    after_commit_task("registry.build_export", cause=cause)


@contextlib.contextmanager
def one_change(cause: str):
    """The changes made inside (by services or policy rows' signals) are one registry change,
    recorded once when the block ends without an error."""
    token = _batched.set(True)
    try:
        yield
    finally:
        _batched.reset(token)
    if not transaction.get_connection().needs_rollback:  # a dry run changes nothing
        registry_changed(cause=cause)


POLICY_MODELS = ("Organisation", "IncidentResponse", "VersionBumpRule", "RiskValidity",
                 "DataClassification")


def policy_edited(sender, instance=None, raw=False, **kwargs):
    """An edit of a policy row, in the admin or anywhere else, is a registry change: the
    YAML shows the organisation metadata, the incident contacts and the version bump policy
    (the other rows shape later decisions; a build that finds nothing changed stores none).

    A signal receiver rather than a call from the admin: the policy lives in the governance
    app, below the registry, and must not know about exports; and a receiver sees every
    writer of those rows (the admin, the shell, a later page), in the transaction of the
    edit, where an explicit call would have to be remembered by each one. The rows the
    registry's own services write (servers, approvals, requests) call `registry_changed`
    explicitly instead, with the cause, as the last step of their transaction."""
    if raw:
        return
    registry_changed(cause=f"{sender._meta.verbose_name} edited")


def connect_policy_signals():
    for name in POLICY_MODELS:
        model = apps.get_model("governance", name)
        post_save.connect(policy_edited, sender=model, dispatch_uid=f"registry-{name}-save")
        post_delete.connect(policy_edited, sender=model, dispatch_uid=f"registry-{name}-del")


# ─── approvals ──────────────────────────────────────────────────────────────────────


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
    return approval


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
        approved_by=", ".join(_email(u) for u in approvers), approved_date=today,
        expires=expires, request=request,
    ))
    registry_changed(cause=f"{server.name} {approval.version} approved (request #{request.pk})")
    return approval


@transaction.atomic
def expire_due_approvals(*, today: dt.date | None = None, actor=None) -> list[int]:
    """Active approvals past their expiry become expired, in one set-based update, with an
    audit entry each; the export is rebuilt. Returns the ids it expired (none the 2nd time)."""
    today = today or timezone.localdate()
    now = timezone.now()
    due = Approval.objects.past_expiry(today)
    ids = list(due.select_for_update().values_list("pk", flat=True))
    if not ids:
        return []
    # The rows are locked: the same filter updates exactly them, without a list of ids.
    due.update(status=Approval.Status.EXPIRED, status_changed_at=now)
    audit_set_update(
        Approval.objects.filter(status=Approval.Status.EXPIRED, status_changed_at=now),
        changes={"status": ["active", "expired"]}, actor=actor or system_user(), now=now,
        repr_expression=Concat("server__name", Value(" "), "version", Value(" (expired)"),
                               output_field=CharField()),
    )
    registry_changed(cause=f"{len(ids)} approval(s) expired")
    return ids


@transaction.atomic
def revoke_approval(*, actor, approval: Approval | int, reason: str) -> Approval:
    """Withdraw an active approval at once (an incident, a CVE): the security team only,
    with a reason; audited, notified to its people and the platform team, and out of the
    served files at once.

    Lock order: the server's row first, then the approval, as the workflow's final sign-off
    does (approvals.services.signoff._check_decidable). So a revocation and the approval of a bump
    or renewal of the same server run one after the other, never past each other: either
    the revocation comes first, and the bump's final sign-off is refused (409: the approval
    it was classified against is no longer active), or the bump does, and the revocation is
    refused with a message naming the approval that replaced this one."""
    if not can_manage_reviews(actor):
        raise NotAllowed("Only the security team can revoke an approval.")
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
    registry_changed(cause=f"{name} {approval.version} revoked")
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


# ─── exports ────────────────────────────────────────────────────────────────────────


def render_files(today: dt.date | None = None, only: tuple[str, ...] = ExportSnapshot.FILES
                 ) -> tuple[dict[str, str], dt.date | None]:
    """The export files (all three, or those named in `only`) as they would be built now."""
    registry, deployable, denied, valid_until = registry_contents(today)
    render = {
        "mcp-registry.yaml": lambda: formats.dump_registry_yaml(registry),
        "managed-mcp.json": lambda: formats.dump_json(formats.managed_mcp(deployable)),
        "managed-settings.json": lambda: formats.dump_json(
            formats.managed_settings(deployable, denied)),
    }
    return {name: render[name]() for name in only}, valid_until


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def snapshot_sha(file_sha: dict[str, str]) -> str:
    return _sha("".join(f"{name}:{file_sha[name]}\n" for name in sorted(file_sha)))


def diff_files(old: dict[str, str] | None, new: dict[str, str]) -> str:
    chunks = []
    for name in ExportSnapshot.FILES:
        before = (old or {}).get(name, "").splitlines(keepends=True)
        after = new[name].splitlines(keepends=True)
        chunks.extend(difflib.unified_diff(before, after, f"a/{name}", f"b/{name}"))
    return "".join(chunks)


def _build(*, cause: str, today: dt.date | None) -> ExportSnapshot | None:
    """Render the files, store a snapshot if they changed, and record which revision the
    served files are now current for. Runs under the build lock."""
    # Read before rendering: a change committed while the files render is newer than them,
    # and leaves the state stale for the next reader or build.
    number = export_state().number
    for _attempt in range(3):
        files, valid_until = render_files(today)
        file_sha = {name: _sha(text) for name, text in files.items()}
        sha = snapshot_sha(file_sha)
        previous = latest_snapshot()
        created = None
        if previous is None or previous.sha256 != sha:
            old_files = ({n: previous.content(n) for n in ExportSnapshot.FILES}
                         if previous else None)
            try:
                with transaction.atomic():
                    created = ExportSnapshot.objects.create(
                        cause=cause[:200], sha256=sha, file_sha256=file_sha,
                        registry_yaml=files["mcp-registry.yaml"],
                        managed_mcp_json=files["managed-mcp.json"],
                        managed_settings_json=files["managed-settings.json"],
                        diff=diff_files(old_files, files), valid_until=valid_until,
                        previous=previous, revision=number,
                    )
            except IntegrityError:  # SQLite has no build lock: another build got in first
                continue
        current = created or previous
        RegistryRevision.load()
        RegistryRevision.objects.filter(pk=1).update(
            exported=number, snapshot=current, file_sha256=current.file_sha256,
            valid_until=valid_until)
        return created
    return None


def build_export(*, cause: str, today: dt.date | None = None) -> ExportSnapshot | None:
    """A new snapshot of every format, only when the content changed (SPEC §8); either way
    the served files are then current for the registry as it stood when the build began.
    Builds run one at a time: on PostgreSQL under an advisory lock held to the end of the
    build's transaction (SQLite has one writer at a time, and a snapshot has one successor
    at most, so two builds there never fork the history)."""
    with transaction.atomic(), acting_as(None):
        job_lock("build_export")
        return _build(cause=cause, today=today)


def _stale_cause(state: ExportState) -> str:
    if state.snapshot_id is None:
        return "first export"
    if state.exported >= state.number:
        return "an approval in it passed its expiry"
    more = state.number - state.exported - 1
    return (state.cause or "registry changed") + (
        f" (and {more} earlier change{'s' if more != 1 else ''})" if more > 0 else "")


def current_export(today: dt.date | None = None) -> ExportState:
    """The export state to serve from, never older than the committed registry (the one
    staleness rule: `registry.models.is_current`). When it is behind (a change whose build
    is still queued, or could not be queued; an approval past its expiry), the files are
    built here and now. Readers who arrive during a build wait for that build under its
    lock and then find it done, rather than each starting their own."""
    state = export_state()
    if state.is_current(today):
        return state
    with transaction.atomic(), acting_as(None):
        job_lock("build_export")
        state = export_state()  # someone may have built it while this one waited
        if not state.is_current(today):
            _build(cause=_stale_cause(state), today=today)
    return export_state()


def fresh_snapshot(today: dt.date | None = None) -> ExportSnapshot:
    """The snapshot the files are served from, rebuilt first if it is behind."""
    return ExportSnapshot.objects.get(pk=current_export(today).snapshot_id)
