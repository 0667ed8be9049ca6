"""The audit trail page: every recorded change, newest first, filtered by object, actor and
date; and the link from an object's page to its entries."""

from __future__ import annotations

from urllib.parse import urlencode

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import render
from django.urls import reverse

from accounts import roles
from governance.filtering import filtered, sort_of
from governance.pages import paginate, role_required

from .filtersets import AuditFilterSet
from .models import ChainHead
from .publish import latest_checkpoint
from .trail import person, present

AUDITED = (
    ("approvals", "request"), ("approvals", "signoff"), ("approvals", "comment"),
    ("approvals", "requestevent"), ("registry", "server"), ("registry", "approval"),
    ("registry", "exportsnapshot"), ("governance", "organisation"),
    ("governance", "incidentresponse"), ("governance", "versionbumprule"),
    ("governance", "riskvalidity"), ("governance", "dataclassification"),
    ("auth", "user"), ("auth", "group"), ("accounts", "identityevent"),
    ("accounts", "grouprolemapping"), ("accounts", "externalidentity"),
    ("accounts", "directorygroup"), ("accounts", "scimtoken"),
    ("campaigns", "campaign"), ("campaigns", "campaignitem"),
)


@role_required(roles.can_read_audit, "The audit trail is for the security team and "
                                      "administrators.")
def audit(request):
    """Every recorded change, newest first or sorted by a column; filter by object (a
    request with its sign-offs, comments and events), actor and date."""
    entries = LogEntry.objects.select_related("actor", "content_type").order_by(
        "-timestamp", "-id")
    filterset = AuditFilterSet(request.GET, queryset=entries, request=request)
    entries, problems = filtered(filterset)
    trail = getattr(filterset.form, "cleaned_data", {}).get("request")  # a valid number
    page = paginate(request, entries, per_page=50)
    actors = get_user_model().objects.filter(
        pk__in=LogEntry.objects.filter(actor__isnull=False).values("actor")
    ).order_by("username")
    return render(request, "audit/audit.html", {
        "page": page, "rows": present(page.object_list),
        "types": sorted(f"{a}.{m}" for a, m in AUDITED),
        "filters": request.GET, "problems": problems, "trail": trail,
        "actors": [(a.username, person(a)) for a in actors],
        "actions": dict(LogEntry.Action.choices), "sort": sort_of(filterset, "-timestamp"),
        "checkpoint": latest_checkpoint(), "chain_head": ChainHead.objects.filter(pk=1).first(),
    }, status=400 if problems else 200)


def audit_link(obj) -> str:
    ct = ContentType.objects.get_for_model(obj)
    if (ct.app_label, ct.model) == ("approvals", "request"):  # with its sign-offs, comments
        return f"{reverse('audit')}?{urlencode({'request': obj.pk})}"
    return f"{reverse('audit')}?{urlencode({'type': f'{ct.app_label}.{ct.model}', 'id': obj.pk})}"
