"""The audit trail page: every recorded change, newest first, filtered by object, actor and
date; and the link from an object's page to its entries."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import render
from django.urls import reverse

from accounts import roles
from governance.pages import paginate, role_required

AUDITED = (
    ("approvals", "request"), ("approvals", "signoff"), ("approvals", "comment"),
    ("approvals", "requestevent"), ("registry", "server"), ("registry", "approval"),
    ("registry", "exportsnapshot"), ("governance", "organisation"),
    ("governance", "incidentresponse"), ("governance", "versionbumprule"),
    ("governance", "riskvalidity"), ("governance", "dataclassification"),
    ("auth", "user"), ("auth", "group"),
)


def _date(text):
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@role_required(roles.can_read_audit, "The audit trail is for the security team and "
                                      "administrators.")
def audit(request):
    """Every recorded change, newest first; filter by object, actor and date."""
    params = request.GET
    entries = LogEntry.objects.select_related("actor", "content_type").order_by(
        "-timestamp", "-id")
    types = {f"{a}.{m}": (a, m) for a, m in AUDITED}
    problems = {}
    kind = params.get("type", "")
    if kind in types:
        app_label, model = types[kind]
        entries = entries.filter(content_type__app_label=app_label, content_type__model=model)
    object_id = params.get("id", "").strip()
    if object_id:
        entries = entries.filter(object_pk=object_id)
    actor = params.get("actor", "").strip()
    if actor:
        entries = entries.filter(actor__username=actor)
    since, until = _date(params.get("since")), _date(params.get("until"))
    if params.get("since") and since is None:
        problems["since"] = "use a date such as 2026-01-31"
    if params.get("until") and until is None:
        problems["until"] = "use a date such as 2026-01-31"
    if since:
        entries = entries.filter(timestamp__date__gte=since)
    if until:
        entries = entries.filter(timestamp__date__lte=until)
    page = paginate(request, entries, per_page=50)
    actors = get_user_model().objects.filter(
        pk__in=LogEntry.objects.filter(actor__isnull=False).values("actor")
    ).order_by("username").values_list("username", flat=True)
    return render(request, "audit/audit.html", {
        "page": page, "types": sorted(types), "filters": params, "problems": problems,
        "actors": list(actors), "actions": dict(LogEntry.Action.choices),
    })


def audit_link(obj) -> str:
    ct = ContentType.objects.get_for_model(obj)
    return f"{reverse('audit')}?{urlencode({'type': f'{ct.app_label}.{ct.model}', 'id': obj.pk})}"
