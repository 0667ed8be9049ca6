"""The delegations page (issue 15 §2): a holder of a sign-off role delegates their duty in
it for a range of days and ends a delegation early; a delegate sees what was handed to
them; the security team sees every delegation."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts import roles
from accounts.delegations import received, with_delegator_holding
from accounts.models import Delegation
from governance.errors import NotAllowed, ServiceError
from governance.pages import paginate, role_required

from . import services as workflow
from .form_errors import show_service_error
from .forms import DelegationForm


def _may_open(user) -> bool:
    return bool(roles.signing_roles(user)) or roles.can_read_audit(user) or (
        user.is_authenticated and Delegation.objects.filter(delegate=user).exists())


@role_required(_may_open, "Delegations are for holders of a sign-off role (tech_lead, "
                          "security_team, engineering_director), their delegates and the "
                          "security team.")
def delegations(http_request):
    user = http_request.user
    held = sorted(roles.roles_of(user) & roles.SIGNING_ROLES)
    form = DelegationForm(roles=held) if held else None
    status = 200
    action = http_request.POST.get("action", "") if http_request.method == "POST" else ""
    if action == "create" and held:
        form = DelegationForm(http_request.POST, roles=held)
        if form.is_valid():
            data = form.cleaned_data
            try:
                workflow.delegate_signoffs(actor=user, role=data["role"],
                                           delegate=data["delegate"], starts=data["starts"],
                                           ends=data["ends"], reason=data["reason"])
            except ServiceError as exc:
                show_service_error(form, exc)
            else:
                messages.success(http_request, "The delegation was made; your delegate "
                                               "was told.")
                return redirect("delegations")
        status = 400
    elif action == "end":
        try:
            workflow.end_delegation(actor=user, delegation=int(
                http_request.POST.get("delegation") or 0))
        except (ValueError, NotAllowed):
            messages.error(http_request, "You have no such delegation; nothing was ended.")
            status = 400
        except ServiceError as exc:
            messages.error(http_request, f"{exc.message} Nothing was changed.")
            status = 409
        else:
            messages.success(http_request, "The delegation was ended: your delegate no "
                                           "longer signs for you.")
            return redirect("delegations")
    elif action:
        messages.error(http_request, "Unknown action: this page knows create and end.")
        status = 400
    today = timezone.localdate()
    given = with_delegator_holding(Delegation.objects.filter(delegator=user)).select_related(
        "delegate", "ended_by")
    context = {
        "form": form, "held": held, "today": today,
        "given": given, "received": Delegation.objects.filter(delegate=user).select_related(
            "delegator", "ended_by"),
        "in_force_to_me": received(user, today),
    }
    if roles.can_read_audit(user):
        everyone = Delegation.objects.select_related("delegator", "delegate", "ended_by")
        who = http_request.GET.get("who", "").strip()
        if who:
            everyone = everyone.filter(Q(delegator__username=who) | Q(delegate__username=who))
        context |= {"can_see_all": True, "everyone": paginate(http_request, everyone),
                    "who": who}
    return render(http_request, "approvals/delegations.html", context, status=status)

