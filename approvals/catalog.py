"""The catalog as people and scripts browse it: every server with its active approval, its
open requests and its denial, filtered by status (active, pending, denied, expired), risk
and scope. It reads the registry's approvals and the workflow's requests, so it lives in
the workflow app (the layer above the registry). A fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from registry.models import Approval, Server

from .models import OPEN_STATUSES, Request, RequestStatus

CATALOG_STATUSES = ("active", "pending", "denied", "expired")


def catalog(*, search: str = "", status: str = "", risk: str = "", scope: str = "",
            today: dt.date | None = None):
    """Servers with their active approval and open requests; filter by the catalog status
    (active, pending, denied, expired), risk and data scope. An approval past its expiry is
    not the server's active one, even before the nightly job has marked it expired."""
    today = today or timezone.localdate()
    deployable = Approval.objects.deployable(today)
    open_qs = Request.objects.filter(status__in=OPEN_STATUSES)
    qs = Server.objects.annotate(
        has_active=Exists(deployable.filter(server=OuterRef("pk"))),
        has_lapsed=Exists(Approval.objects.lapsed(today).filter(server=OuterRef("pk"))),
        has_open=Exists(open_qs.filter(server=OuterRef("pk"))),
        has_denial=Exists(Request.objects.filter(server=OuterRef("pk"),
                                                 status=RequestStatus.DENIED)),
    ).prefetch_related(
        Prefetch("approvals", queryset=deployable, to_attr="active_approvals"),
        Prefetch("requests", queryset=open_qs.order_by("expected_decision"),
                 to_attr="open_requests"),
    )
    if search:
        qs = qs.filter(name__icontains=search)
    if status == "active":
        qs = qs.filter(has_active=True)
    elif status == "pending":
        qs = qs.filter(has_open=True)
    elif status == "denied":
        qs = qs.filter(has_denial=True, has_active=False)
    elif status == "expired":
        qs = qs.filter(has_lapsed=True, has_active=False)
    if risk:
        qs = qs.filter(Exists(deployable.filter(server=OuterRef("pk"), risk=risk)))
    if scope:
        qs = qs.filter(Exists(deployable.filter(server=OuterRef("pk"), data_scope=scope)))
    return qs.order_by("name")


def active_approval(server) -> Approval | None:
    """The server's active approval, from the prefetch of `catalog()`."""
    return server.active_approvals[0] if server.active_approvals else None


def catalog_status(server) -> str:
    """A server's state in the catalog, from the annotations of `catalog()`: active wins,
    then pending, then denied, then expired; "none" for a server with none of them."""
    if server.has_active:
        return "active"
    if server.has_open:
        return "pending"
    if server.has_denial:
        return "denied"
    if server.has_lapsed:
        return "expired"
    return "none"
