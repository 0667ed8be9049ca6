"""The dashboard: the registry at a glance, with the review work for the queue's roles."""

from __future__ import annotations

from django.shortcuts import render

from accounts import roles
from governance.pages import role_required
from registry.selectors import expiring_approvals

from .models import OPEN_STATUSES
from .selectors import dashboard_figures


def bars(items, *, title: str, danger: bool = False) -> dict:
    """A horizontal bar chart's geometry, for the server-rendered SVG in includes/bars.html."""
    row, label_w, bar_w = 30, 130, 190
    top = max((value for _, value in items), default=0) or 1
    rows = [{"label": label, "value": value, "y": i * row, "text_y": i * row + 19,
             "width": max(round(value * bar_w / top), 2 if value else 0),
             "value_x": label_w + max(round(value * bar_w / top), 2) + 8}
            for i, (label, value) in enumerate(items)]
    return {"title": title, "rows": rows, "height": len(rows) * row, "label_w": label_w,
            "bar_w": bar_w, "danger": danger}


@role_required(lambda u: roles.can_see_queue(u) or roles.can_download_exports(u),
               "The dashboard is for reviewers and the platform team.")
def dashboard(request):
    """The registry at a glance. The review work (open requests by status, overdue reviews
    with their links) is the queue's, so only the queue roles of SPEC §3 see it; the
    platform team sees the approvals, their risk, scope and expiry."""
    figures = dashboard_figures()
    median = figures["median_hours"]
    expiring = list(expiring_approvals(within_days=90))
    show_queue = roles.can_see_queue(request.user)
    queue_figures = {
        "open_count": sum(n for value, _, n in figures["by_status"] if value in OPEN_STATUSES),
        "status_chart": bars([(label, n) for _, label, n in figures["by_status"]],
                             title="Requests by status"),
    } if show_queue else {"overdue": [], "by_status": []}
    return render(request, "approvals/dashboard.html", {
        **figures,
        **queue_figures,
        "show_queue": show_queue,
        "risk_chart": bars(figures["by_risk"], title="Active approvals by risk"),
        "scope_chart": bars(figures["by_scope"], title="Active approvals by data scope"),
        "expiring_chart": bars([("in 30 days", figures["expiring"]["d30"]),
                                ("in 60 days", figures["expiring"]["d60"]),
                                ("in 90 days", figures["expiring"]["d90"])],
                               title="Approvals expiring", danger=True),
        "expiring_list": expiring,
        "median_text": _duration(median) if median is not None else "no decisions yet",
    })


def _duration(hours: float) -> str:
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"
