"""Export pages: the export files to download, their history and the difference between
any two snapshots."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts import roles
from governance.pages import paginate, role_required

from . import services
from .forms import DiffForm
from .models import ExportSnapshot

EXPORT_REFUSAL = "Exports are for the platform team, the security team and administrators."


# ─── exports ────────────────────────────────────────────────────────────────────────


@role_required(roles.can_download_exports, EXPORT_REFUSAL)
def exports(request):
    """The latest files and the snapshot history with sha256, cause and time."""
    latest = services.fresh_snapshot()
    snapshots = ExportSnapshot.objects.defer(
        "registry_yaml", "managed_mcp_json", "managed_settings_json", "diff"
    ).order_by("-created_at", "-id")
    page = paginate(request, snapshots)
    diff_form = DiffForm(initial={"b": latest.pk if latest else None,
                                  "a": latest.previous_id if latest else None})
    return render(request, "registry/exports.html", {
        "latest": latest, "page": page, "files": ExportSnapshot.FILES,
        "diff_form": diff_form, "can_compare": len(diff_form.snapshots) > 1,
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
    """The difference between two snapshots picked from lists, a older and b newer."""
    form = DiffForm(request.GET or None, initial=_latest_pair())
    lines, a, b = [], None, None
    if form.is_valid():
        a, b = form.snapshots[form.cleaned_data["a"]], form.snapshots[form.cleaned_data["b"]]
        found = {s.pk: s for s in ExportSnapshot.objects.filter(pk__in=[a.pk, b.pk])}
        a, b = found[a.pk], found[b.pk]
        files = {n: b.content(n) for n in ExportSnapshot.FILES}
        lines = diff_lines(services.diff_files(
            {n: a.content(n) for n in ExportSnapshot.FILES}, files))
    return render(request, "registry/export_diff.html", {
        "form": form, "a": a, "b": b, "lines": lines,
        "swap": f"?a={request.GET.get('b')}&b={request.GET.get('a')}" if "a" in form.errors
        and form.data.get("a", "").isdigit() and form.data.get("b", "").isdigit() else "",
    }, status=200 if not form.errors else 400)


def _latest_pair() -> dict:
    """The newest snapshot and the one before it: what "compare" means by default."""
    latest = ExportSnapshot.objects.only("pk", "previous_id").order_by(
        "-created_at", "-id").first()
    return {"b": latest.pk, "a": latest.previous_id} if latest else {}


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

