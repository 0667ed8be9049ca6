"""The catalog as people and scripts browse it: every server with its active approval, its
open requests and its denial, filtered (approvals.filtersets.ServerFilterSet) by status
(active, pending, denied, expired), risk and scope. It reads the registry's approvals and
the workflow's requests, so it lives in the workflow app (the layer above the registry).
A fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from registry.models import Approval, Server

from .models import OPEN_STATUSES, Request, RequestStatus

CATALOG_STATUSES = ("active", "pending", "denied", "expired")


def catalog(*, today: dt.date | None = None):
    """Servers with their active approval and open requests, by name, annotated with what
    the catalog's filters read (approvals.filtersets.ServerFilterSet): the catalog status's
    facts, and the active approval's risk, scope and expiry. An approval past its expiry is not the
    server's active one, even before the nightly job has marked it expired."""
    today = today or timezone.localdate()
    deployable = Approval.objects.deployable(today)
    open_qs = Request.objects.filter(status__in=OPEN_STATUSES)
    qs = Server.objects.annotate(
        has_active=Exists(deployable.filter(server=OuterRef("pk"))),
        has_lapsed=Exists(Approval.objects.lapsed(today).filter(server=OuterRef("pk"))),
        has_open=Exists(open_qs.filter(server=OuterRef("pk"))),
        has_denial=Exists(Request.objects.filter(server=OuterRef("pk"),
                                                 status=RequestStatus.DENIED)),
        # One active approval per server at most (a database constraint).
        active_risk=Subquery(deployable.filter(server=OuterRef("pk")).order_by()
                             .values("risk")[:1]),
        active_scope=Subquery(deployable.filter(server=OuterRef("pk")).order_by()
                              .values("data_scope")[:1]),
        active_expires=Subquery(deployable.filter(server=OuterRef("pk")).order_by()
                                .values("expires")[:1]),
        has_approval=Exists(Approval.objects.filter(server=OuterRef("pk"))),
    ).filter(
        # A server only ever asked for and withdrawn was never in the registry: no row.
        Q(has_open=True) | Q(has_denial=True) | Q(has_approval=True)
    ).prefetch_related(
        Prefetch("approvals", queryset=deployable, to_attr="active_approvals"),
        Prefetch("requests", queryset=open_qs.order_by("expected_decision"),
                 to_attr="open_requests"),
    )
    return qs.order_by("name")


def active_approval(server) -> Approval | None:
    """The server's active approval, from the prefetch of `catalog()`."""
    return server.active_approvals[0] if server.active_approvals else None


def catalog_status(server) -> str:
    """A server's state in the catalog, from the annotations of `catalog()`."""
    return status_of(has_active=server.has_active, has_open=server.has_open,
                     has_denial=server.has_denial, has_lapsed=server.has_lapsed)


def status_of(*, has_active: bool, has_open: bool, has_denial: bool, has_lapsed: bool) -> str:
    """Active wins, then pending, then denied, then expired; "none" for none of them."""
    if has_active:
        return "active"
    if has_open:
        return "pending"
    if has_denial:
        return "denied"
    if has_lapsed:
        return "expired"
    return "none"
