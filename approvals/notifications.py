"""Who hears about what happens to a request, and the mail they get."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from governance.roles import Role

from .models import Request

SUBJECTS = {
    "filed": "New request #{pk}: {server} {version}",
    "assigned": "Request #{pk} ({server}) has a reviewer",
    "needs_info": "Request #{pk} ({server}) needs more information from you",
    "sandbox_trial": "Request #{pk} ({server}) moved to sandbox trial",
    "awaiting_security": "Request #{pk} ({server}) awaits security",
    "under_review": "Request #{pk} ({server}) is under review",
    "resubmitted": "Request #{pk} ({server}) was resubmitted",
    "signed_off": "Request #{pk} ({server}) has a new sign-off",
    "commented": "New comment on request #{pk} ({server})",
    "approved": "Approved: {server} {version} (request #{pk})",
    "denied": "Denied: {server} {version} (request #{pk})",
}


def recipients(request: Request, verb: str) -> list[str]:
    people = {request.requester}
    if request.reviewer:
        people.add(request.reviewer)
    if verb in ("filed", "resubmitted") and not request.reviewer:
        people |= set(get_user_model().objects.filter(
            groups__name=Role.SECURITY_TEAM, is_active=True))
    return sorted({p.email for p in people if p and p.email and p.is_active})


def request_event(request_id: int, verb: str) -> int:
    request = Request.objects.select_related("server", "requester", "reviewer").filter(
        pk=request_id).first()
    if request is None or verb not in SUBJECTS:
        return 0
    to = recipients(request, verb)
    if not to:
        return 0
    subject = SUBJECTS[verb].format(pk=request.pk, server=request.server.name,
                                    version=request.version).strip()
    link = f"{settings.PORTAL_BASE_URL}/requests/{request.pk}/"
    lines = [subject, "", f"Status: {request.get_status_display()}", f"Open it: {link}"]
    if request.status == "denied":
        lines += ["", f"Reason: {request.denial_reason.strip()}"]
        if request.denial_alternative:
            lines.append(f"Alternative: {request.denial_alternative.strip()}")
    return send_mail(subject, "\n".join(lines), None, to, fail_silently=False)
