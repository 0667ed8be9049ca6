"""The signed-in user's notifications: every notice the portal sent them, newest first,
those that came since they last looked marked new."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

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
