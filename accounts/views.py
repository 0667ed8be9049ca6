"""Pages of accounts: sign-in and sign-out, the API token page and the answer to a
locked-out sign-in.

The API token page: a signed-in user creates, lists and revokes their own tokens. A new
key is shown once, in the answer to the form that made it (it is stored nowhere, not even
in the session); afterwards the page shows only its first characters, its expiry and when
it was last used."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from governance.errors import InvalidInput

from . import oidc, services
from .forms import TokenForm
from .models import ApiToken


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    form, new_key, status = TokenForm(), None, 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            form = TokenForm(request.POST)
            if form.is_valid():
                try:
                    _token, new_key = services.issue_token(
                        user=request.user, name=form.cleaned_data["name"],
                        days=form.cleaned_data["expires"])
                except InvalidInput as exc:
                    for field, errors in exc.errors.items():
                        for error in errors:
                            form.add_error("expires" if field == "days" else field, error)
                else:
                    form = TokenForm()
            if new_key is None:
                status = 400
        elif action == "revoke":
            if services.revoke_token(user=request.user, digest=request.POST.get("token", "")):
                messages.success(request, "The token is revoked: it no longer works.")
            else:
                messages.error(request, "You have no such token; nothing was revoked.")
            return redirect("tokens")
        else:
            messages.error(request, "Nothing to do.")
            return redirect("tokens")
    response = render(request, "accounts/tokens.html", {
        "tokens": ApiToken.objects.filter(user=request.user),
        "form": form,
        "new_key": new_key,
    }, status=status)
    if new_key:
        response["Cache-Control"] = "no-store"  # the key must not stay in any cache
    return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a sign-in for a username and address that failed too often
    (settings.AXES_*): 429 with Retry-After, and a page that says why and for how long.
    Every attempt during the lockout starts the wait again, so the whole wait is due."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render(request, "registration/locked_out.html", {
        "failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes,
    }, status=429)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


class SignInView(auth_views.LoginView):
    """The sign-in page: with OIDC on, a button to the identity provider (and the password
    form only when break-glass users are configured); with it off, the password form."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            oidc_enabled=settings.OIDC_ENABLED,
            passwords_allowed=not settings.OIDC_ENABLED or bool(settings.BREAK_GLASS_USERS),
            **kwargs)


@require_POST
def sign_out(request):
    """Ends the portal session and, for a session that the identity provider started, the
    provider's too where it offers an end-session endpoint."""
    target = reverse(settings.LOGOUT_REDIRECT_URL)
    if settings.OIDC_ENABLED and request.session.get("oidc_id_token"):
        target = oidc.provider_logout_url(request)
    logout(request)
    return redirect(target)
