"""The registry's window on the requests, which the workflow above it keeps.

The registry document lists pending requests and denials beside the approvals (SPEC §6),
the denylist of managed-settings.json names denied servers, and the check API names a
server's denial and its open request. The requests belong to the workflow (approvals),
which depends on the registry and never the other way round; so the registry asks here,
and the workflow answers: it provides itself when Django starts
(approvals.apps.ApprovalsConfig.ready calls `provide`). The registry learns only what its
outputs show, as plain records."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

from . import formats


@dataclasses.dataclass(frozen=True)
class RequestSections:
    """The registry document's pending_review entries (oldest first) and denied entries
    (newest first, one per server without an active approval), and for each denial what
    the denylist may name: (server name, config), the config {} when only the name."""

    pending: list[formats.PendingEntry]
    denied: list[formats.DeniedEntry]
    denied_configs: list[tuple[str, dict]]


@dataclasses.dataclass(frozen=True)
class CheckRows:
    """What the check index needs of the servers it asks about: every denial as (request
    id, server id, config, reason, alternative), oldest decision first; every open request
    as (request id, server id, version, status)."""

    denials: list[tuple[int, int, dict, str, str]]
    open_requests: list[tuple[int, int, str, str]]


class Workflow(Protocol):
    def registry_sections(self, today: dt.date) -> RequestSections: ...

    def check_rows(self, server_ids=None) -> CheckRows:
        """Of the servers in `server_ids` only, when given."""

    def denied_runs(self) -> list[tuple[int, dict]]:
        """(server id, config) of every denial, oldest decision first."""


_provided: list[Workflow] = []


def provide(workflow: Workflow) -> None:
    """Called once by the workflow app when Django starts."""
    _provided[:] = [workflow]


def current() -> Workflow:
    if not _provided:
        raise ImproperlyConfigured(
            "No workflow provides the registry's requests: is 'approvals' in INSTALLED_APPS?")
    return _provided[0]
