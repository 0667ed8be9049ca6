"""Capability inspection (issue 14): what the server a request (or an approval) names
offers, found by starting it in the sandbox and asking it, and recorded. The slow part
(install, start, list) runs with no lock held; the outcome is written in a short
transaction and a bump is routed again when it changes the level
(rerouting.reroute_after_inspection). Every failure is an outcome with its reason."""

from __future__ import annotations

import datetime as dt
import ipaddress
import logging
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.actors import system_user
from governance.policy import capabilities, tools
from governance.transactions import send_task
from registry.models import Approval

from .. import mcp_probe, sandbox
from ..models import Inspection, InspectionStatus, Request, RequestKind
from .rerouting import reroute_after_inspection
from .steps import change_exclusions, inspection_of_approval, record_event

log = logging.getLogger(__name__)
STALE_AFTER = 3600  # seconds: longer than an install and a run together
REQUEUE_AFTER = 600  # seconds pending before its task counts as lost


def _local_launch(config) -> sandbox.Launch | None:
    """`python <script>` under one of settings.INSPECTION_LOCAL_ROOTS (the test suite's
    fixture servers), run by this interpreter with no install; None otherwise."""
    if not isinstance(config, dict) or not settings.INSPECTION_LOCAL_ROOTS:
        return None
    args = config.get("args") or []
    if config.get("command") not in ("python", "python3") or not args:
        return None
    script = Path(str(args[0])).resolve()
    for root in settings.INSPECTION_LOCAL_ROOTS:
        if script.is_file() and script.is_relative_to(Path(root).resolve()):
            return sandbox.Launch((sys.executable, str(script), *map(str, args[1:])),
                                  reads=(str(script.parent), sys.prefix, sys.base_prefix))
    return None


def inspect_config(config, *, version: str) -> mcp_probe.Result:
    """Install, start and ask the server `config` runs at `version`: a Result, whatever
    happens (failed: it could not be installed; not_inspectable: it would not answer)."""
    limits = sandbox.Limits.from_settings()
    plan = capabilities.launch_plan(config, version=version)
    if plan.kind == "remote":
        refusal = _private_address(plan.url)
        if refusal:
            return mcp_probe.Result(status=InspectionStatus.NOT_INSPECTABLE, reason=refusal)
        return mcp_probe.probe_remote(plan.url, seconds=limits.seconds)
    launch = _local_launch(config)
    if launch is None and not plan.kind:
        return mcp_probe.Result(status=InspectionStatus.NOT_INSPECTABLE, reason=plan.reason)
    try:
        if launch is None and plan.kind == "npm":
            launch = sandbox.install_npm(plan.package, plan.version, plan.command)
        elif launch is None:
            launch = sandbox.install_pypi(plan.package, plan.version, plan.command)
        launch = sandbox.Launch((*launch.argv, *plan.args), launch.reads, launch.env)
        argv = sandbox.sandboxed_argv(launch, plan.env, limits)
        return mcp_probe.probe_stdio(argv, seconds=limits.seconds)
    except sandbox.InstallFailed as exc:
        return mcp_probe.Result(status=InspectionStatus.FAILED, reason=str(exc))


def _private_address(url: str) -> str:
    """Why the inspector will not connect to `url` (empty when it may): a name that does
    not resolve, or resolves to an address inside a private, loopback, link-local or
    reserved range, unless INSPECTION_REMOTE_ALLOW_PRIVATE (the requester types the URL: a
    portal that connects anywhere would probe the organisation's own network for them).
    The name is resolved again when connecting, so a name that changes its answers in
    between is not stopped here: the inspector's own network rules are the last word."""
    if settings.INSPECTION_REMOTE_ALLOW_PRIVATE:
        return ""
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        return f"the server's address {host!r} does not resolve: {exc}"
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            return (f"{host} resolves to {address}, an address inside a private network: a "
                    "remote server is inspected only at a public address")
    return ""


def _record(inspection: Inspection, result: mcp_probe.Result) -> None:
    inspection.status = result.status
    inspection.reason = result.reason[:4000]
    inspection.stderr = result.stderr
    for name in ("server_name", "server_version", "protocol_version", "tools", "resources",
                 "prompts"):
        setattr(inspection, name, getattr(result, name))
    inspection.finished_at = timezone.now()
    inspection.save()


def _claim(inspection_filter) -> Inspection | None:
    with transaction.atomic():
        inspection = (Inspection.objects.select_for_update(skip_locked=True)
                      .filter(**inspection_filter)
                      .exclude(status__in=[s.value for s in (InspectionStatus.DONE,
                                                             InspectionStatus.NOT_INSPECTABLE,
                                                             InspectionStatus.FAILED)])
                      .first())
        if inspection is not None:
            inspection.status = InspectionStatus.RUNNING
            inspection.started_at = timezone.now()
            inspection.save(update_fields=["status", "started_at"])
    return inspection


def _summary(inspection: Inspection) -> str:
    if inspection.status == InspectionStatus.DONE:
        reported = f"{inspection.server_name} {inspection.server_version}".strip()
        return (f"{len(inspection.tools)} tool(s), {len(inspection.resources)} resource(s), "
                f"{len(inspection.prompts)} prompt(s); the server reports itself as "
                f"{reported or 'nothing'}" + (f". {inspection.reason}" if inspection.reason
                                                else ""))
    return f"{inspection.get_status_display().lower()}: {inspection.reason}"


def inspect_approval(approval: Approval) -> Inspection:
    """An approval's inspection, made once (the first time a bump or the job needs it)."""
    existing = inspection_of_approval(approval)
    if existing is not None and existing.has_outcome:
        return existing
    if existing is None:
        existing, _ = Inspection.objects.get_or_create(
            approval=approval, defaults={"package_version": approval.version})
    claimed = _claim({"pk": existing.pk})
    if claimed is None:
        return existing
    _record(claimed, inspect_config(approval.config, version=approval.version))
    return claimed


def run_request_inspection(request_id: int) -> Inspection | None:
    """Inspect what request `request_id` asks for (and, for a bump or renewal, the approved
    version once), record the outcome on the request's timeline, and route a bump again
    if the capability change asks it. None when there is nothing pending to inspect."""
    inspection = _claim({"request_id": request_id})
    if inspection is None:
        return None
    request = Request.objects.select_related("base_approval").get(pk=request_id)
    if request.kind != RequestKind.NEW_SERVER and request.base_approval is not None:
        inspect_approval(request.base_approval)
    try:
        result = inspect_config(request.config, version=request.version)
    except Exception as exc:  # noqa: BLE001 (the request stays reviewable, with the reason)
        log.exception("inspection of request #%s failed", request_id)
        result = mcp_probe.Result(status=InspectionStatus.FAILED,
                                  reason=f"the inspector failed: {type(exc).__name__}: {exc}")
    with transaction.atomic():
        current = Inspection.objects.filter(pk=inspection.pk).first()
        if current is None or current.status != InspectionStatus.RUNNING:
            return current  # started anew since (an edit): the new one has its own task
        inspection = current
        _record(inspection, result)
        record_event(request, system_user(), "inspected", detail=_summary(inspection))
        _exclude_new_tools(request_id, inspection)
        # In the same transaction: a final sign-off that sees the outcome sees the route
        # the outcome asks for (never the old, lower one in between).
        reroute_after_inspection(request=request_id)
    return inspection


def _tool_names(inspection: Inspection) -> list[str]:
    return [tool["name"] for tool in inspection.tools if isinstance(tool, dict)
            and isinstance(tool.get("name"), str) and tools.TOOL_NAME.fullmatch(tool["name"])]


def _exclude_new_tools(request_id: int, inspection: Inspection) -> None:
    """A bump or renewal whose version offers tools the approved version did not: each new
    tool is excluded until someone approves it (the security team lifts it in the
    assessment), named on the timeline as the system's doing."""
    request = Request.objects.select_for_update(of=("self",)).select_related(
        "base_approval").get(pk=request_id)
    base = inspection_of_approval(request.base_approval)
    if (inspection.status != InspectionStatus.DONE or base is None
            or base.status != InspectionStatus.DONE):
        return
    carried = tools.carried_exclusions(base_excluded=request.excluded_tools,
                                       base_offered=_tool_names(base),
                                       offered=_tool_names(inspection))
    # All of them, even past MAX_EXCLUDED: the final sign-off then waits until the
    # reviewers lift (approve) enough of them; a cut list would let the rest through.
    added, _lifted = change_exclusions(request, system_user(), carried)
    if added:
        request.save(update_fields=["excluded_tools"])


def queue_pending(*, limit: int = 100) -> list[str]:
    """The job (on the main worker): send the inspector every inspection whose task was
    lost (pending for INSPECTION_REQUEUE_AFTER, or running past STALE_AFTER), then each
    active approval never inspected, once. Each is a task of its own on the inspector's
    queue, so one failing server never stops the next. Nothing while inspection is off."""
    if not settings.INSPECTION_ENABLED:
        return []
    now = timezone.now()
    Inspection.objects.filter(status=InspectionStatus.RUNNING,
                              started_at__lt=now - dt.timedelta(seconds=STALE_AFTER)).update(
        status=InspectionStatus.PENDING)
    lost = list(Inspection.objects.filter(
        status=InspectionStatus.PENDING,
        created_at__lt=now - dt.timedelta(seconds=REQUEUE_AFTER)).order_by("pk")[:limit])
    sent = []
    for inspection in lost:
        if inspection.request_id:
            send_task("approvals.inspect_request", inspection.request_id)
            sent.append(f"request #{inspection.request_id}")
        else:
            send_task("approvals.inspect_approval", inspection.approval_id)
            sent.append(f"approval #{inspection.approval_id}")
    inspected = Inspection.objects.filter(approval__isnull=False).values("approval_id")
    by_request = Inspection.objects.filter(request__isnull=False).values("request_id")
    never = (Approval.objects.active().exclude(pk__in=inspected)
             .exclude(request_id__in=by_request).order_by("pk")[:limit])
    for approval in never:
        Inspection.objects.get_or_create(approval=approval,
                                         defaults={"package_version": approval.version})
        send_task("approvals.inspect_approval", approval.pk)
        sent.append(f"approval #{approval.pk}")
    return sent
