"""The registry revision: every change of what the export files show bumps it in the
changer's transaction and queues a build (SPEC §6.5); policy rows' edits count too."""

from __future__ import annotations

import contextlib
import contextvars

from django.apps import apps
from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from governance.transactions import after_commit_task

from ..models import RegistryRevision

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
                 "DataClassification", "CapabilityRule")


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
