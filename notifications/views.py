"""The signed-in user's notifications: every notice the portal sent them, newest first,
those that came since they last looked marked new."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from .models import Notification, NotificationPreference
from .preferences import preferences_of, set_preferences
from .reading import mark_seen
from .selectors import last_seen, notifications_for


@login_required
def notification_list(request):
    page = Paginator(notifications_for(request.user), 25).get_page(request.GET.get("page"))
    seen = last_seen(request.user)
    for notice in page.object_list:
        notice.is_new = seen is None or notice.created_at > seen
    mark_seen(request.user)
    request.unread_notifications = 0  # all read now (notifications.context_processors)
    return render(request, "notifications/list.html", {"page": page})


class PreferencesForm(forms.Form):
    """One choice per kind of notice: immediately, in a daily digest, or not by e-mail."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in Notification.Kind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label, choices=NotificationPreference.Delivery.choices)


@login_required
def notification_preferences(request):
    """How each kind of notice reaches the signed-in user by e-mail; the list in the portal
    always shows every notice."""
    form = PreferencesForm(request.POST or None, initial=preferences_of(request.user))
    if request.method == "POST" and form.is_valid():
        set_preferences(user=request.user, choices=form.cleaned_data)
        messages.success(request, "Your notification preferences were saved.")
        return redirect("notification-preferences")
    return render(request, "notifications/preferences.html", {"form": form},
                  status=400 if form.is_bound and form.errors else 200)
