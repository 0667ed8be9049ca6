"""The campaign pages: the list and the start form (security team), a campaign's progress
with its chart, a person's items to answer, and the report for auditors (CSV, HTML)."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import roles
from approvals.dashboard import bars
from governance.errors import NotAllowed, ServiceError
from governance.pages import paginate, role_required

from . import selectors, services
from .forms import AnswerForm, StartCampaignForm
from .models import Campaign, CampaignItem

READERS = "Campaigns are for the security team and administrators; your own items are " \
          "under My campaign items."


def show_service_error(form, exc: ServiceError) -> None:
    """The refusal on the form: its sentence at the top, each problem next to its field
    (the scope's, which no one field holds, at the top too)."""
    form.add_error(None, exc.message)
    for key, problems in exc.errors.items():
        for problem in problems:
            if key in form.fields:
                form.add_error(key, problem)
            else:
                form.add_error(None, f"{key}: {problem}")


def _reader(user) -> bool:
    return roles.can_read_audit(user)


@role_required(_reader, READERS)
def campaign_list(http_request):
    """Every campaign with its progress; the security team starts one here."""
    form = None
    if roles.can_manage_reviews(http_request.user):
        form = StartCampaignForm(http_request.POST or None)
        if http_request.method == "POST" and form.is_valid():
            try:
                campaign = services.start_campaign(actor=http_request.user, **form.cleaned_data)
            except NotAllowed as exc:
                raise PermissionDenied(exc.message) from exc
            except ServiceError as exc:
                show_service_error(form, exc)
            else:
                messages.success(http_request, f"Campaign '{campaign.name}' started: "
                                 f"{campaign.items.count()} approvals put to their owners.")
                return redirect("campaign-detail", campaign.pk)
    elif http_request.method == "POST":
        raise PermissionDenied("Only the security team can start a recertification campaign.")
    page = paginate(http_request, Campaign.objects.select_related("started_by"))
    rows = [(campaign, selectors.progress(campaign)) for campaign in page]
    status = 400 if form is not None and form.errors else 200
    return render(http_request, "campaigns/list.html",
                  {"page": page, "rows": rows, "form": form}, status=status)


@login_required
def campaign_detail(http_request, pk: int):
    """Progress (answered, open, overdue) with a chart, and the items: all of them for the
    security team and administrators, an owner's own for an owner."""
    campaign = get_object_or_404(Campaign.objects.select_related("started_by", "team"), pk=pk)
    return _detail_page(http_request, campaign)


def _detail_page(http_request, campaign, forms_by_item=None, status=200):
    user = http_request.user
    reader = _reader(user)
    if not reader and not selectors.has_items(user, campaign):
        raise PermissionDenied(READERS)
    counts = selectors.progress(campaign)
    items = selectors.items_of(campaign)
    if not reader:
        items = items.filter(owner=user)
    today = timezone.localdate()
    # The security team answers here: for items without an owner, for anyone, and after
    # the due date for the items the campaign flagged.
    answers = roles.can_manage_reviews(user)
    forms_by_item = forms_by_item or {}
    rows = [(item, item.state(today), (forms_by_item.get(item.pk) or AnswerForm(
        prefix=f"item{item.pk}")) if answers and not item.answer and item.outcome in (
        "", CampaignItem.Outcome.FLAGGED) else None) for item in items]
    return render(http_request, "campaigns/detail.html", {
        "campaign": campaign, "counts": counts, "reader": reader, "items": rows,
        "chart": bars([("answered", counts["answered"]), ("open", counts["open"]),
                       ("overdue", counts["overdue"])], title="Campaign progress"),
    }, status=status)


def _my_items_page(http_request, forms_by_item=None, status=200):
    today = timezone.localdate()
    forms_by_item = forms_by_item or {}
    rows = [(item, item.state(today), forms_by_item.get(item.pk) or AnswerForm(
        prefix=f"item{item.pk}")) for item in selectors.my_items(http_request.user)]
    return render(http_request, "campaigns/mine.html", {"rows": rows, "today": today},
                  status=status)


@login_required
def my_items(http_request):
    """The approvals campaigns put to the reader, the ones to answer first."""
    return _my_items_page(http_request)


@login_required
@require_POST
def answer(http_request, pk: int):
    item = get_object_or_404(CampaignItem.objects.select_related("campaign"), pk=pk)
    form = AnswerForm(http_request.POST, prefix=f"item{item.pk}")
    back = http_request.POST.get("next") == "campaign"
    if form.is_valid():
        try:
            item = services.answer_item(actor=http_request.user, item=item, **form.cleaned_data)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except ServiceError as exc:
            show_service_error(form, exc)
        else:
            if item.request_id:
                messages.success(http_request, (
                    f"Kept with changes: request #{item.request_id} is filed from the "
                    "approval. Edit it below to make the changes, then it goes to review."))
                return redirect("request-detail", item.request_id)
            messages.success(http_request, f"Answer recorded: {item.get_answer_display()} "
                             f"for {item.approval.server.name} {item.approval.version}.")
            return redirect("campaign-detail" if back else "campaign-items-mine",
                            *([item.campaign_id] if back else []))
    if item.owner_id != http_request.user.pk and not roles.can_manage_reviews(
            http_request.user):
        raise PermissionDenied("Only the approval's owner or the security team may answer.")
    if back:
        return _detail_page(http_request, item.campaign, {item.pk: form}, status=400)
    return _my_items_page(http_request, {item.pk: form}, status=400)


def _report(campaign):
    return selectors.report_rows(campaign), selectors.progress(campaign)


@role_required(_reader, READERS)
def report_csv(http_request, pk: int):
    """Who answered what, when: one row per approval in the campaign."""
    campaign = get_object_or_404(Campaign, pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="campaign-{campaign.pk}-report.csv"')
    writer = csv.DictWriter(response, fieldnames=selectors.REPORT_COLUMNS)
    writer.writeheader()
    for row in selectors.report_rows(campaign):
        # A cell starting with = + - @ is a formula to a spreadsheet: kept as text.
        writer.writerow({key: f"'{value}" if value[:1] in ("=", "+", "-", "@") else value
                         for key, value in row.items()})
    return response


@role_required(_reader, READERS)
def report_html(http_request, pk: int):
    """The same report as a page to print (or save as PDF from the browser's print)."""
    campaign = get_object_or_404(Campaign.objects.select_related("started_by", "team"), pk=pk)
    rows, counts = _report(campaign)
    return render(http_request, "campaigns/report.html", {
        "campaign": campaign, "rows": rows, "counts": counts,
        "generated": timezone.now(), "columns": selectors.REPORT_COLUMNS})
