"""Request pages: file a request, follow one's own, and the reviewers' queue and request
page. Views only shape input and output: every change goes through the workflow service,
whose refusals come back as form errors (InvalidInput, Conflict) or the 403 page
(NotAllowed)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404
from django.shortcuts import redirect, render

from accounts import roles
from audit.views import audit_link
from governance.errors import NotAllowed, ServiceError
from governance.policy import names, versions
from governance.selectors import current_policy
from registry.models import Approval, Server

from . import config_diff, selectors, server_json_in
from . import services as workflow
from .capability_view import capability_view
from .form_errors import add_rule_problems, link_for_viewer, show_service_error
from .forms import (
    AssessmentForm,
    AssignForm,
    CommentForm,
    EditRequestForm,
    RequestForm,
    ServerJsonForm,
    SignOffForm,
    TransitionForm,
)
from .models import OPEN_STATUSES, Request, RequestKind, RequestStatus


def _call(form, fn, **kwargs):
    """Run a service call; its refusal goes on `form` (or to the 403 page). True if done."""
    try:
        fn(**kwargs)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        show_service_error(form, link_for_viewer(exc, kwargs["actor"]))
        return False
    return True


# ─── filing ─────────────────────────────────────────────────────────────────────────


def _prefill(server: Server | None, kind: str, version: str = "") -> dict:
    """Initial values of the form: the server's facts, and for a bump or renewal the active
    approval's config. A bump to `version` (the one-click bump of an update found upstream)
    also moves the pin in the arguments to it."""
    if server is None:
        return {"kind": kind or RequestKind.NEW_SERVER}
    initial = {"kind": kind or RequestKind.NEW_SERVER, "server_name": server.name,
               "source": server.source, "package": server.package,
               "package_registry": server.package_registry}
    active = Approval.objects.active().filter(server=server).first()
    if active and kind in (RequestKind.VERSION_BUMP, RequestKind.RENEWAL):
        config = active.config
        if kind == RequestKind.VERSION_BUMP and version and not versions.version_problem(
                version) and isinstance(config.get("args"), list):
            config = {**config, "args": versions.repin_args(
                config["args"], server.package, active.version, version)}
            initial["version"] = version
        initial.update(proposed_data_scope=active.data_scope, use_case=active.rationale,
                       **RequestForm.config_initial(config))
        if kind == RequestKind.RENEWAL:
            initial["version"] = active.version
    return initial


@login_required
def new_request(http_request):
    """One form for a new server, a version bump (pre-filled from the active approval) and
    a renewal; the server's earlier denials are shown before filing again."""
    name = (http_request.POST.get("server_name") or http_request.GET.get("server") or "").strip()
    # Only a valid name is looked up; anything else (a NUL, which PostgreSQL refuses) is
    # left to the form, which says what is wrong with it.
    valid = name and names.name_problem(name) is None
    server = Server.objects.filter(name=name).first() if valid else None
    source_form, unmapped = ServerJsonForm(prefix="sj"), None
    if http_request.method == "POST" and (http_request.POST.get("read_server_json")
                                          or http_request.POST.get("registry_lookup")):
        source_form, form, unmapped = server_json_in.filled_forms(http_request.POST)
        server = Server.objects.filter(name=form.initial.get("server_name", "")).first()
    elif http_request.method == "POST" and http_request.POST.get("lookup"):
        # "Look up" (no JavaScript needed): show the server's approval and denials, keep
        # what was typed, file nothing.
        typed = {k: v for k, v in http_request.POST.items() if k in RequestForm.base_fields and v}
        typed.pop("kind", None)
        kind = http_request.POST.get("kind", "")
        if kind in ("", RequestKind.NEW_SERVER) and server is not None and (
                Approval.objects.active().filter(server=server).exists()):
            # An approved server is not filed again as new: its next request is a bump.
            kind = RequestKind.VERSION_BUMP
        form = RequestForm(initial={**_prefill(server, kind), **typed, "kind": kind
                                    or RequestKind.NEW_SERVER})
    elif http_request.method == "POST":
        form = RequestForm(http_request.POST)
        if not form.is_valid() and form.cleaned_data.get("kind"):
            # Every problem at once: the workflow's rules too, for the fields the form had
            # nothing to say about (nothing is saved).
            add_rule_problems(form, workflow.filing_problems(actor=http_request.user,
                                                             **form.service_kwargs()))
        elif form.is_valid():
            try:
                filed = workflow.file_request(actor=http_request.user, **form.service_kwargs())
            except NotAllowed as exc:
                raise PermissionDenied(exc.message) from exc
            except ServiceError as exc:
                show_service_error(form, link_for_viewer(exc, http_request.user))
            else:
                if filed.status == RequestStatus.DENIED:
                    messages.warning(http_request, f"Request #{filed.pk} was recorded and "
                                                   f"denied at once: {filed.denial_reason}")
                else:
                    messages.success(http_request, f"Request #{filed.pk} for "
                                                   f"{filed.server.name} {filed.version} was "
                                                   "filed.")
                return redirect(filed)
    else:
        form = RequestForm(initial=_prefill(server, http_request.GET.get("kind", ""),
                                            http_request.GET.get("version", "").strip()[:100]))
    active = Approval.objects.active().filter(server=server).first() if server else None
    bump_rules = current_policy().bump_rules if active else None
    return render(http_request, "approvals/request_form.html", {
        "form": form, "server": server, "active": active,
        "source_form": source_form, "unmapped": unmapped,
        "public_registry": bool(settings.MCP_PUBLIC_REGISTRY_URL),
        "denials": selectors.denials_of(server), "bump_rules": bump_rules,
        "server_names": list(Server.objects.order_by("name").values_list("name", flat=True)),
    }, status=400 if form.is_bound and form.errors else 200)


# ─── one request ────────────────────────────────────────────────────────────────────

ACTIONS = ("claim", "transition", "assess", "signoff", "comment", "withdraw", "edit",
           "resubmit")


def _forms(req, user, data=None, action=""):
    """Every form the request page can show this user, bound to `data` for `action`."""
    route = workflow.route_of(req)
    is_reviewer = roles.can_manage_reviews(user)
    signable = workflow.signable_roles(actor=user, request=req, route=route)

    def bound(name):
        return data if action == name else None

    forms = {"comment": CommentForm(bound("comment"), prefix="comment")}
    if not req.is_open:
        return forms, route
    if is_reviewer:
        forms["claim"] = AssignForm(bound("claim"), reviewers=selectors.reviewers(),
                                    prefix="claim")
        moves = workflow.REVIEW_MOVES.get(req.status, set())
        if moves:
            forms["transition"] = TransitionForm(bound("transition"), moves=moves,
                                                 prefix="transition")
        forms["assess"] = AssessmentForm(bound("assess"), prefix="assess", initial={
            "risk": req.risk, "data_scope": req.data_scope, "rationale": req.rationale,
            "restrictions": "\n".join(req.restrictions or []),
            "excluded_tools": "\n".join(req.excluded_tools or [])})
    if workflow.signoff_refusal(actor=user, request=req, route=route) is None and signable:
        forms["signoff"] = SignOffForm(bound("signoff"), roles=signable, prefix="signoff",
                                       initial={"role": signable[0][0]})
        if "check_release_notes" not in route.evidence:
            del forms["signoff"].fields["release_notes"]
    if user == req.requester:
        forms["withdraw"] = Form(None)
        if req.status == RequestStatus.NEEDS_INFO:
            forms["edit"] = EditRequestForm(
                data if action in ("edit", "resubmit") else None, request=req, prefix="edit")
    return forms, route


def _act(http_request, req, action, forms):
    """Run `action` through the service; returns True when it succeeded."""
    user = http_request.user
    form = forms.get("edit" if action == "resubmit" else action)
    if form is None and action == "signoff":  # the page says why in place of the form
        return False
    if form is None:
        raise PermissionDenied(_role_refusal(action))
    if action == "withdraw":
        return _call(form, workflow.withdraw, actor=user, request=req)
    if not form.is_valid():
        return False
    data = form.cleaned_data
    if action == "comment":
        return _call(form, workflow.add_comment, actor=user, request=req, body=data["body"])
    if action == "claim":
        reviewer = None
        if data.get("reviewer"):
            reviewer = get_user_model().objects.filter(username=data["reviewer"]).first()
        return _call(form, workflow.assign, actor=user, request=req, reviewer=reviewer)
    if action == "transition":
        return _call(form, workflow.transition, actor=user, request=req, status=data["status"],
                     notes=data["notes"])
    if action == "assess":
        return _call(form, workflow.set_assessment, actor=user, request=req,
                     **form.service_kwargs())
    if action == "signoff":
        return _call(form, workflow.sign_off, actor=user, request=req, role=data["role"],
                     decision=data["decision"], comment=data["comment"], reason=data["reason"],
                     alternative=data["alternative"], release_notes=data.get("release_notes", ""),
                     expires=data["expires"], exclude_tools=data["exclude_tools"])
    if action == "edit":
        return _call(form, workflow.edit_request, actor=user, request=req,
                     **form.changes()) and (not data["answer"].strip() or _call(
                         form, workflow.add_comment, actor=user, request=req,
                         body=data["answer"]))
    if action == "resubmit":
        return _call(form, workflow.resubmit, actor=user, request=req, answer=data["answer"],
                     **form.changes())
    return False


def _state_refusal(req, user, action) -> str:
    """Why `action` cannot be done on `req` as it stands now (a page left open while the
    request moved on); "" when its state is not the reason."""
    state = f"Request #{req.pk} is {req.get_status_display().lower()}"
    if action == "comment" or action == "signoff":
        return ""
    if not req.is_open:
        return f"{state}: a decided request can only be commented on."
    if action in ("edit", "resubmit") and user == req.requester and (
            req.status != RequestStatus.NEEDS_INFO):
        return (f"{state}: only a request sent back for more information can be edited "
                "and resubmitted.")
    if action == "transition" and roles.can_manage_reviews(user):
        return f"{state}: it cannot be moved from there."
    return ""


def _role_refusal(action) -> str:
    if action in ("withdraw", "edit", "resubmit"):
        return "Only the person who filed a request can withdraw, edit or resubmit it."
    return "Only the security team claims, assigns, moves and assesses requests."


DONE = {
    "claim": "The reviewer is set.", "transition": "The status was changed.",
    "assess": "The assessment was saved.", "signoff": "Your sign-off was recorded.",
    "comment": "Your comment was added.", "withdraw": "The request was withdrawn.",
    "edit": "Your changes were saved.", "resubmit": "The request is back under review.",
}


NO_SUCH_REQUEST = ("There is no request with this number that you can see: only its "
                   "requester and the reviewers can open it.")


@login_required
def request_detail(http_request, pk: int):
    """The request's page for its requester and the reviewers: config, route, sign-offs,
    timeline, comments, and the forms for whatever this user may do next."""
    try:
        req = selectors.request_detail(pk)
    except Request.DoesNotExist as exc:
        raise Http404(NO_SUCH_REQUEST) from exc
    if not workflow.can_view(http_request.user, req):
        # Another developer's request is not theirs to see at all: the same 404 as a
        # request that does not exist, for the page and every form on it (SPEC §3).
        raise Http404(NO_SUCH_REQUEST)
    action = http_request.POST.get("action", "") if http_request.method == "POST" else ""
    if http_request.method == "POST" and action not in ACTIONS:
        return render(http_request, "400.html", {
            "exception": f"Unknown action; the request page knows {', '.join(ACTIONS)}."},
            status=400)
    forms, route = _forms(req, http_request.user, http_request.POST or None, action)
    status = 200
    refusal = None
    if action == "signoff" or (req.is_open and (
            req.requester == http_request.user or roles.signing_roles(http_request.user))):
        refusal = workflow.signoff_refusal(actor=http_request.user, request=req, route=route)
    posted = forms.get("edit" if action == "resubmit" else action)
    stale = action and posted is None and _state_refusal(req, http_request.user, action)
    if stale:  # said in the page's messages, above the request as it is now
        messages.error(http_request, stale)
        status = 409
    elif action:
        if _act(http_request, req, action, forms):
            messages.success(http_request, DONE[action])
            return redirect(req)
        status = refusal.status_code if action == "signoff" and refusal else 400
    signoffs = list(req.signoffs.all())
    approved_roles = {s.role: s for s in signoffs if s.decision == "approve"}
    required = [{"role": r, "signoff": approved_roles.get(r)} for r in route.required_roles]
    can_audit = roles.can_read_audit(http_request.user)
    can_queue = roles.can_see_queue(http_request.user)
    denials = [d for d in selectors.denials_of(req.server) if d.pk != req.pk]
    for d in denials:  # linked only where this user may open the page
        d.can_open = can_queue or d.requester_id == http_request.user.pk
    return render(http_request, "approvals/request_detail.html", {
        "req": req, "route": route, "forms": forms, "required": required,
        "signoffs": signoffs, "action": action,
        "history": selectors.requester_history(req) if can_queue else None,
        "denials": denials,
        "is_requester": http_request.user == req.requester,
        "audit_url": audit_link(req) if can_audit else "",
        "open_statuses": OPEN_STATUSES, "comparisons": config_diff.comparisons(req),
        "system_withdrawal": next((e for e in req.events.all()
                                   if e.verb == "withdrawn_by_system"), None),
        "question": selectors.open_question(req), "signoff_refusal": refusal,
        "capabilities": capability_view(req),
    }, status=status)
