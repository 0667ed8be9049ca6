"""Export pages: the export files to download, their history and the difference between
any two snapshots."""

from __future__ import annotations

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from accounts import roles
from governance.pages import paginate, role_required

from . import services, signatures
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
        "deploy_paths": DEPLOY_PATHS, "signing_keys": signatures.public_keys(),
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



@role_required(roles.can_download_exports, EXPORT_REFUSAL)
def download_latest_signature(request, filename: str):
    """The detached signature of the latest export file (raw Ed25519, 64 bytes)."""
    if filename not in ExportSnapshot.FILES:
        raise Http404(f"There is no export file called {filename}.")
    state = services.current_export()
    signed = signatures.file_signature(state, filename)
    if signed is None:
        raise Http404(signatures.SIGNING_OFF)
    return signature_response(filename, state, *signed)


def signature_response(filename: str, state, key_id: str, signature: bytes) -> HttpResponse:
    response = HttpResponse(signature, content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{filename}.sig"'
    response["ETag"] = f'"{state.file_sha256[filename]}.{key_id}.sig"'
    response["X-Signing-Key-Id"] = key_id
    response["X-Export-Snapshot"] = str(state.snapshot_id)
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def signing_key_pem(request):
    """The current public key (PEM, SubjectPublicKeyInfo): public, at a fixed address."""
    keys = signatures.public_keys()
    if not keys:
        raise Http404(signatures.SIGNING_OFF)
    response = HttpResponse(keys[0].pem, content_type="application/x-pem-file")
    response["X-Signing-Key-Id"] = keys[0].key_id
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def signing_keys_json(request):
    """Every public key a verifier should accept now (the current one first, then previous
    keys until the end of their overlap), each with its id."""
    keys = signatures.public_keys()
    if not keys:
        raise Http404(signatures.SIGNING_OFF)
    response = JsonResponse({"current": keys[0].key_id,
                             "keys": [key.as_json() for key in keys]})
    response["Cache-Control"] = "no-cache"
    return response
