"""Catalog pages: every server with its state, and a server's page with its approvals, open
requests and earlier denials (and, for the security team, the revocation of its active
approval). They show requests beside approvals, so they are the workflow's pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts import roles
from audit.views import audit_link
from governance.errors import Conflict, NotAllowed, ServiceError
from governance.filtering import filtered, sort_of
from governance.pages import paginate
from registry import services as registry_services
from registry import upstream_watch
from registry.forms import OwnerForm, RevokeForm
from registry.models import Approval, Server

from . import catalog as catalog_queries
from .filtersets import ServerFilterSet
from .form_errors import show_service_error
from .models import OPEN_STATUSES, Request
from .selectors import denials_of


@login_required
def catalog(http_request):
    """Every server with its state; search by name, package, purpose and owner; filter by
    status, risk and scope; sort by a column (the FilterSet's `ordering`, as the API's)."""
    filterset = ServerFilterSet(http_request.GET or None,
                                queryset=catalog_queries.catalog(today=timezone.localdate()),
                                request=http_request)
    servers, problems = filtered(filterset)
    page = paginate(http_request, servers)
    can_queue = roles.can_see_queue(http_request.user)
    for server in page.object_list:
        server.catalog_status = catalog_queries.catalog_status(server)
        server.active = catalog_queries.active_approval(server)
        for r in server.open_requests:
            r.can_open = can_queue or r.requester_id == http_request.user.pk
    updates = upstream_watch.open_updates(
        [s.active.pk for s in page.object_list if s.active])
    for server in page.object_list:
        server.update = updates.get(server.active.pk) if server.active else None
    return render(http_request, "registry/catalog.html", {
        "form": filterset.form, "page": page, "problems": problems,
        "sort": sort_of(filterset, "name"),
    }, status=400 if problems else 200)


def _set_owner(http_request, server) -> tuple[OwnerForm, int] | None:
    """The security team names the owner of the active approval; None when it was done."""
    if not roles.can_manage_reviews(http_request.user):
        raise PermissionDenied("Only the security team can name an approval's owner.")
    form = OwnerForm(http_request.POST)
    if not form.is_valid():
        return form, 400
    pk = form.cleaned_data["approval"]
    owner = get_user_model().objects.filter(username=form.cleaned_data["owner"]).first()
    if owner is None:
        form.add_error("owner", f"No user is called {form.cleaned_data['owner']!r}.")
        return form, 400
    if not Approval.objects.filter(pk=pk, server=server).exists():
        form.add_error(None, f"{server.name} has no approval #{pk}.")
        return form, 400
    try:
        registry_services.set_approval_owner(actor=http_request.user, approval=pk, owner=owner)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        show_service_error(form, exc)
        return form, 400
    messages.success(http_request, f"{owner.get_username()} now owns {server.name}'s approval "
                                   "and is told of its new releases.")
    return None


def _revoke(http_request, server) -> tuple[RevokeForm, int] | None:
    """The security team's revocation from the server page; None when it was done."""
    if http_request.POST.get("action") != "revoke":
        raise PermissionDenied("Unknown action.")
    if not roles.can_manage_reviews(http_request.user):
        raise PermissionDenied("Only the security team can revoke an approval.")
    form = RevokeForm(http_request.POST)
    if not form.is_valid():
        return form, 400
    pk = form.cleaned_data["approval"]
    if not Approval.objects.filter(pk=pk, server=server).exists():
        form.add_error(None, f"{server.name} has no approval #{pk}.")
        return form, 400
    try:
        approval = registry_services.revoke_approval(
            actor=http_request.user, approval=pk, reason=form.cleaned_data["reason"])
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        show_service_error(form, exc)
        return form, 409 if isinstance(exc, Conflict) else 400
    messages.success(http_request, f"{server.name} {approval.version} is revoked: it has left "
                                   "the export files, and its people have been told.")
    return None


@login_required
def server_detail(http_request, name: str):
    """A server's active approval, its versions, open requests and earlier denials; for the
    security team, the form that revokes the active approval.

    Who filed a request, and the link to its page, are shown to that requester and the
    reviewers only (nobody else may open it); every denial's reason and alternative are
    shown to everyone."""
    server = get_object_or_404(Server, name=name)
    revoke_form, owner_form, status = None, None, 200
    if http_request.method == "POST":
        owning = http_request.POST.get("action") == "owner"
        done = _set_owner(http_request, server) if owning else _revoke(http_request, server)
        if done is None:
            return redirect(server)
        if owning:
            owner_form, status = done
        else:
            revoke_form, status = done
    today = timezone.localdate()
    approvals = list(
        Approval.objects.filter(server=server).select_related("request", "owner")
        .prefetch_related("approvers").order_by("-approved_date", "-id"))
    for a in approvals:
        a.shown_status = a.status_today(today)
    active = next((a for a in approvals if a.is_in_force(today)), None)
    open_requests = list(Request.objects.filter(server=server, status__in=OPEN_STATUSES)
                         .select_related("requester", "reviewer"))
    denials = denials_of(server)
    can_queue = roles.can_see_queue(http_request.user)
    for r in [*open_requests, *denials]:
        r.can_open = can_queue or r.requester_id == http_request.user.pk
    if active is not None and active.request is not None:
        active.request.can_open = can_queue or active.request.requester_id == http_request.user.pk
    if revoke_form is None and active is not None and roles.can_manage_reviews(http_request.user):
        revoke_form = RevokeForm(initial={"approval": active.pk})
    if owner_form is None and active is not None and roles.can_manage_reviews(http_request.user):
        owner_form = OwnerForm(initial={"approval": active.pk, "owner": getattr(
            active.owner, "username", "")})
    update = withdrawn = None
    if active is not None:
        update = upstream_watch.open_updates([active.pk]).get(active.pk)
        withdrawn = upstream_watch.withdrawn_pins([active.pk]).get(active.pk)
    return render(http_request, "registry/server_detail.html", {
        "server": server, "active": active, "approvals": approvals,
        "open_requests": open_requests, "denials": denials,
        "audit_url": audit_link(server) if roles.can_read_audit(http_request.user) else "",
        "expiring_soon": active is not None and active.days_left <= 30,
        "revoke_form": revoke_form, "owner_form": owner_form,
        "update": update, "withdrawn": withdrawn,
    }, status=status)


