"""The "Waiting for me" page: what waits on the reader's sign-off, soonest due first."""

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import render

from governance.pages import paginate
from registry.selectors import policy_in_force

from .models import SignOff
from .waiting import waiting_for, waiting_roles


@login_required
def waiting_for_me(http_request):
    """Open requests whose route needs a sign-off in a role the reader holds and that no
    one has given yet; each row says in which role and by when."""
    requests = (waiting_for(http_request.user).select_related("server", "requester")
                .prefetch_related(Prefetch("signoffs", queryset=SignOff.objects.select_related(
                    "user", "on_behalf_of"))))
    page = paginate(http_request, requests)
    policy = policy_in_force()
    for req in page.object_list:
        req.your_roles = waiting_roles(req, http_request.user, policy)
    return render(http_request, "approvals/waiting.html", {"page": page})
