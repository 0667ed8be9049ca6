"""The request lists: a requester's own requests, and the reviewers' queue with its search,
sortable columns (the `ordering` of approvals.filtersets.RequestFilterSet, which the
requests API reads too) and the security team's bulk claim and assignment."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import roles
from governance.errors import NotAllowed, ServiceError
from governance.filtering import filtered, sort_of
from governance.pages import paginate, role_required
from governance.policy import routing
from registry import selectors as registry_selectors

from . import listing, selectors
from . import services as workflow
from .filtersets import RequestFilterSet
from .models import RequestKind, RequestStatus

QUEUE_REFUSAL = ("The review queue is for the security team, tech leads and engineering "
                 "directors.")


@login_required
def my_requests(http_request):
    """What the reader filed, newest first or sorted by a column."""
    status = http_request.GET.get("status", "")
    ordering = {"ordering": http_request.GET["ordering"]} if "ordering" in http_request.GET else {}
    filterset = RequestFilterSet(ordering, queryset=selectors.my_requests(
        user=http_request.user, status=status), request=http_request)
    requests, problems = filtered(filterset)
    return render(http_request, "approvals/my_requests.html", {
        "page": listing.with_steps(paginate(http_request, requests),
                                   registry_selectors.policy_in_force()), "status": status,
        "statuses": RequestStatus.choices, "problems": problems,
        "sort": sort_of(filterset, "-requested_at"),
    }, status=400 if problems else 200)


QUEUE_FILTERS = ("status", "kind", "risk", "scope", "assignee", "mine", "overdue", "search")


@role_required(roles.can_see_queue, QUEUE_REFUSAL)
def queue(http_request):
    """Open requests (or those of the status asked for), soonest due first or sorted by a
    column; searched and filtered by the FilterSet the requests API uses."""
    filters = {k: http_request.GET.get(k, "") for k in QUEUE_FILTERS}
    data = http_request.GET.copy()
    if not data.get("status") and not data.get("open"):
        data["open"] = "true"  # the queue is of open requests unless a status is asked for
    filterset = RequestFilterSet(data, queryset=selectors.review_queue(), request=http_request)
    requests, problems = filtered(filterset)
    policy = registry_selectors.policy_in_force()
    # The count of what waits on the reader, on every page, reads the same policy.
    http_request.policy_in_force = policy
    signers = selectors.signers()
    can_claim = roles.can_manage_reviews(http_request.user)
    # One token for every row's claim form (the template's tag would format it anew for each).
    csrf_token = get_token(http_request) if can_claim else None
    page = listing.with_steps(selectors.as_queue_items(
        paginate(http_request, selectors.queue_items(requests), counted=requests)), policy,
        signers.ids)
    return render(http_request, "approvals/queue.html", {
        "page": page, "rows": listing.queue_rows(page, csrf_token=csrf_token),
        "filters": filters,
        "problems": problems, "sort": sort_of(filterset, "expected_decision"),
        "statuses": RequestStatus.choices, "kinds": RequestKind.choices,
        "risks": routing.RISKS, "scopes": routing.DATA_SCOPES,
        "reviewers": signers.names[roles.Role.SECURITY_TEAM],
        "can_claim": can_claim,
    }, status=400 if problems else 200)


def _numbers(values) -> list[int] | None:
    """The ticked request numbers; None if one is not a request number at all."""
    numbers = []
    for value in values:
        if not value.isdigit() or int(value) > 2**31 - 1:
            return None
        numbers.append(int(value))
    return numbers


def _listed(requests) -> str:
    return ", ".join(f"#{r.pk} {r.server.name}" for r in requests)


@require_POST
@role_required(roles.can_see_queue, QUEUE_REFUSAL)
def queue_bulk(http_request):
    """Claim or assign the ticked requests at once (the security team); each goes through
    the same service as a single claim. Back to the queue as it was, saying what was done
    and which rows were refused and why."""
    # Back to the queue with its filters, sort and page (re-encoded: only a query string).
    back = QueryDict(http_request.POST.get("back", "").removeprefix("?")).urlencode()
    target = f"{reverse('queue')}?{back}" if back else reverse("queue")
    numbers = _numbers(http_request.POST.getlist("ids"))
    # "Claim selected" claims, whatever the assignee list shows; "Assign" assigns to it.
    username = http_request.POST.get("reviewer", "") if http_request.POST.get(
        "do") == "assign" else ""
    reviewer = None
    if numbers is None:
        messages.error(http_request, "Nothing was changed: ids must be request numbers.")
        return redirect(target)
    if username:
        reviewer = selectors.reviewers().filter(username=username).first()
        if reviewer is None:
            messages.error(http_request, f"Nothing was changed: {username!r} is not an active "
                                         "member of the security team, who review requests.")
            return redirect(target)
    try:
        result = workflow.assign_many(actor=http_request.user, requests=numbers,
                                      reviewer=reviewer)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        rules = "; ".join(m for ms in exc.errors.values() for m in ms)
        messages.error(http_request, f"Nothing was changed. {exc.message.rstrip('.')}: {rules}.")
        return redirect(target)
    who = "you" if reviewer in (None, http_request.user) else reviewer.get_username()
    if result.done:
        verb = "Claimed" if who == "you" else f"Assigned to {who}"
        messages.success(http_request, f"{verb}: {_listed(result.done)}.")
    if result.unchanged:
        messages.info(http_request, f"Already with {who}, left as they were: "
                                    f"{_listed(result.unchanged)}.")
    if result.refused:
        messages.error(http_request, "Refused, and left as they were: " + "; ".join(
            f"#{number}: {reason}" for number, reason in result.refused))
    return redirect(target)
