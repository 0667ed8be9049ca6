"""The API token page: a signed-in user creates, replaces or revokes their own DRF token.
The key is shown once, right after it is made; afterwards only its first characters."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from governance import services


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    token = Token.objects.filter(user=request.user).first()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            token = services.issue_token(user=request.user)
            request.session["new_token"] = token.key
            messages.success(request, "Your new token is below. Copy it now: it is shown "
                                      "only once. Any earlier token no longer works.")
        elif action == "revoke" and services.revoke_token(user=request.user):
            messages.success(request, "Your token is revoked: it no longer works.")
        else:
            messages.error(request, "Nothing to do.")
        return redirect("tokens")
    new_key = request.session.pop("new_token", None)
    return render(request, "accounts/tokens.html", {
        "token": token,
        "new_key": new_key if token and new_key == token.key else None,
        "hook_url": "/api/v1/client/mcp_governance_hook.py",
    })
