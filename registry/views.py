"""Catalog and export pages: what is approved, pending and denied (and why); the export
files to download, their history and the difference between any two snapshots."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts import roles
from approvals.forms import show_service_error
from approvals.models import OPEN_STATUSES, Request
from approvals.selectors import denials_of
from audit.views import audit_link
from governance.errors import Conflict, NotAllowed, ServiceError
from governance.pages import paginate, role_required

from . import selectors, services
from .forms import CatalogFilterForm, DiffForm, RevokeForm
from .models import Approval, ExportSnapshot, Server

EXPORT_REFUSAL = "Exports are for the platform team, the security team and administrators."


@login_required
def catalog(request):
    """Every server with its state; search by name, filter by status, risk and scope."""
    form = CatalogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    qs = selectors.catalog(today=today, **{k: filters.get(k) or "" for k in (
        "search", "status", "risk", "scope")})
    page = paginate(request, qs)
    can_queue = roles.can_see_queue(request.user)
    for server in page.object_list:
        server.catalog_status = selectors.catalog_status(server)
        server.active = selectors.active_approval(server)
        for r in server.open_requests:
            r.can_open = can_queue or r.requester_id == request.user.pk
    return render(request, "registry/catalog.html", {"form": form, "page": page})


def _revoke(request, server) -> tuple[RevokeForm, int] | None:
    """The security team's revocation from the server page; None when it was done."""
    if request.POST.get("action") != "revoke":
        raise PermissionDenied("Unknown action.")
    if not roles.can_manage_reviews(request.user):
        raise PermissionDenied("Only the security team can revoke an approval.")
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return form, 400
    pk = form.cleaned_data["approval"]
    if not Approval.objects.filter(pk=pk, server=server).exists():
        form.add_error(None, f"{server.name} has no approval #{pk}.")
        return form, 400
    try:
        approval = services.revoke_approval(actor=request.user, approval=pk,
                                            reason=form.cleaned_data["reason"])
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        show_service_error(form, exc)
        return form, 409 if isinstance(exc, Conflict) else 400
    messages.success(request, f"{server.name} {approval.version} is revoked: it has left the "
                              "export files, and its people have been told.")
    return None


@login_required
def server_detail(request, name: str):
    """A server's active approval, its versions, open requests and earlier denials; for the
    security team, the form that revokes the active approval.

    Who filed a request, and the link to its page, are shown to that requester and the
    reviewers only (nobody else may open it); every denial's reason and alternative are
    shown to everyone."""
    server = get_object_or_404(Server, name=name)
    revoke_form, status = None, 200
    if request.method == "POST":
        done = _revoke(request, server)
        if done is None:
            return redirect(server)
        revoke_form, status = done
    today = timezone.localdate()
    approvals = list(
        Approval.objects.filter(server=server).select_related("request")
        .prefetch_related("approvers").order_by("-approved_date", "-id"))
    for a in approvals:
        a.shown_status = a.status_today(today)
    active = next((a for a in approvals if a.is_in_force(today)), None)
    open_requests = list(Request.objects.filter(server=server, status__in=OPEN_STATUSES)
                         .select_related("requester", "reviewer"))
    denials = denials_of(server)
    can_queue = roles.can_see_queue(request.user)
    for r in [*open_requests, *denials]:
        r.can_open = can_queue or r.requester_id == request.user.pk
    if active is not None and active.request is not None:
        active.request.can_open = can_queue or active.request.requester_id == request.user.pk
    if revoke_form is None and active is not None and roles.can_manage_reviews(request.user):
        revoke_form = RevokeForm(initial={"approval": active.pk})
    return render(request, "registry/server_detail.html", {
        "server": server, "active": active, "approvals": approvals,
        "open_requests": open_requests, "denials": denials,
        "audit_url": audit_link(server) if roles.can_read_audit(request.user) else "",
        "expiring_soon": active is not None and active.days_left <= 30,
        "revoke_form": revoke_form,
    }, status=status)


# ─── exports ────────────────────────────────────────────────────────────────────────


@role_required(roles.can_download_exports, EXPORT_REFUSAL)
def exports(request):
    """The latest files and the snapshot history with sha256, cause and time."""
    latest = services.fresh_snapshot()
    snapshots = ExportSnapshot.objects.defer(
        "registry_yaml", "managed_mcp_json", "managed_settings_json", "diff"
    ).order_by("-created_at", "-id")
    page = paginate(request, snapshots)
    return render(request, "registry/exports.html", {
        "latest": latest, "page": page, "files": ExportSnapshot.FILES,
        "diff_form": DiffForm(initial={"b": latest.pk if latest else None,
                                       "a": latest.previous_id if latest else None}),
        "deploy_paths": DEPLOY_PATHS,
    })


DEPLOY_PATHS = [
    ("Linux, WSL", "/etc/claude-code/managed-mcp.json"),
    ("macOS", "/Library/Application Support/ClaudeCode/managed-mcp.json"),
    ("Windows", r"C:\Program Files\ClaudeCode\managed-mcp.json"),
]


def diff_lines(text: str) -> list[tuple[str, str]]:
    """A unified diff as (css class, line) pairs for a readable page."""
    out = []
    for line in text.splitlines():
        if line.startswith(("+++", "---")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "ctx"
        out.append((kind, line))
    return out


@role_required(roles.can_download_exports, EXPORT_REFUSAL)
def export_detail(request, pk: int):
    snapshot = get_object_or_404(ExportSnapshot.objects.select_related("previous"), pk=pk)
    return render(request, "registry/export_detail.html", {
        "snapshot": snapshot, "lines": diff_lines(snapshot.diff),
        "files": [(name, snapshot.content(name), snapshot.file_sha256.get(name, ""))
                  for name in ExportSnapshot.FILES],
    })


@role_required(roles.can_download_exports, EXPORT_REFUSAL)
def export_diff(request):
    """The difference between any two snapshots, a older and b newer."""
    form = DiffForm(request.GET or None)
    lines, a, b = [], None, None
    if form.is_valid():
        found = {s.pk: s for s in ExportSnapshot.objects.filter(
            pk__in=[form.cleaned_data["a"], form.cleaned_data["b"]])}
        a, b = found.get(form.cleaned_data["a"]), found.get(form.cleaned_data["b"])
        if a is None:
            form.add_error("a", f"there is no snapshot #{form.cleaned_data['a']}")
        if b is None:
            form.add_error("b", f"there is no snapshot #{form.cleaned_data['b']}")
        if a and b:
            files = {n: b.content(n) for n in ExportSnapshot.FILES}
            lines = diff_lines(services.diff_files(
                {n: a.content(n) for n in ExportSnapshot.FILES}, files))
    return render(request, "registry/export_diff.html", {
        "form": form, "a": a, "b": b, "lines": lines,
    }, status=200 if not form.errors else 400)


CONTENT_TYPES = {".yaml": "application/yaml", ".json": "application/json"}


@role_required(roles.can_download_exports, EXPORT_REFUSAL)
def download_latest(request, filename: str):
    """The latest export file, rebuilt first if an approval in it has expired."""
    if filename not in ExportSnapshot.FILES:
        raise Http404(f"There is no export file called {filename}.")
    snapshot = services.fresh_snapshot()
    content_type = CONTENT_TYPES[filename[filename.rindex("."):]]
    response = HttpResponse(snapshot.content(filename),
                            content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["ETag"] = f'"{snapshot.file_sha256.get(filename, snapshot.sha256)}"'
    response["X-Export-Snapshot"] = str(snapshot.pk)
    return response

