"""The signed-in user's notifications: every notice the portal sent them, newest first."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .selectors import notifications_for


@login_required
def notification_list(request):
    page = Paginator(notifications_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})
