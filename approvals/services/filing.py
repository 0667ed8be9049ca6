"""Filing a request: new_server, version_bump or renewal (SPEC §4 rules 1, 2, 4, 6, 8, 9,
12), and the field checks an edit repeats."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.actors import acting_as
from governance.errors import Conflict, Errors, InvalidInput
from governance.policy import configs, identity, names, routing, tools, versions
from governance.selectors import current_policy
from registry.models import Approval, PackageRegistry, Server

from ..models import Request, RequestKind
from .signoff import decide_denied
from .steps import (
    earlier_denial,
    mark_registry_changed,
    queue_notice,
    record_event,
    request_link,
    route_of,
    start_inspection,
)


def validate_fields(errors: Errors, *, version, config, proposed_data_scope, package,
                     package_registry="", pin=True):
    if pin:
        errors.add("version", versions.version_problem(version))
    errors.add("proposed_data_scope",
               names.choice_problem(proposed_data_scope, routing.DATA_SCOPES, "data scope"))
    errors.add("package", names.package_problem(package))
    checked_version = version if pin and not versions.version_problem(version) else ""
    errors.merge(configs.config_problems(config, version=checked_version, package=package,
                                        package_registry=package_registry))


def check_identity(errors: Errors, *, kind, server, base, package, package_registry, config):
    """SPEC §4 rule 12: a bump or a renewal keeps the server's package (the one the catalog
    names) and what its approved config runs; another package is another server."""
    if kind == RequestKind.NEW_SERVER or server is None:
        return
    again = "another package is another server: file a new_server request for it"
    if package and server.package and identity.normalise_package(
            server.package_registry, package) != identity.normalise_package(
            server.package_registry, server.package):
        errors.add("package", f"{server.name} is the package {server.package}: a {kind} "
                              f"keeps it ({again})")
    if package_registry and server.package_registry and (
            package_registry != server.package_registry):
        errors.add("package_registry", f"{server.name} comes from {server.package_registry}: "
                                       f"a {kind} keeps its registry ({again})")
    if base is not None and not errors.by_field.get("config") and not any(
            key.startswith("config.") for key in errors.by_field):
        errors.merge(identity.identity_problems(old_config=base.config, new_config=config,
                                              kind=kind, server=server.name))


@transaction.atomic
def file_request(
    *, actor, kind: str, server_name: str, version: str = "", config=None, use_case: str = "",
    proposed_data_scope: str = "", source: str = "", package: str = "",
    package_registry: str = "", notes: str = "", what_changed: str = "", now=None,
    excluded_tools=None,
) -> Request:
    """File a new_server, version_bump or renewal request (SPEC §4 rules 1, 2, 4, 6, 8, 9).

    A RESTRICTED scope is recorded and denied at once with the policy's reason. The
    requester may propose tools to exclude; a bump or renewal starts with the exclusions
    of the approval it supersedes (governance.policy.tools.carried_exclusions)."""
    now = now or timezone.now()
    policy = current_policy()
    errors = Errors()
    if kind not in RequestKind.values:
        raise InvalidInput("Unknown request kind.", {
            "kind": [names.choice_problem(kind, RequestKind.values, "kind")]})
    errors.add("server_name", names.name_problem(server_name))
    server = Server.objects.select_for_update().filter(name=server_name).first()
    active = Approval.objects.active().filter(server=server).first() if server else None
    if package_registry and package_registry not in PackageRegistry.values:
        errors.add("package_registry", names.choice_problem(
            package_registry, PackageRegistry.values, "package registry"))

    if kind == RequestKind.NEW_SERVER:
        if active:
            errors.add("server_name", (
                f"{server_name} is already approved at version {active.version}: file a "
                "version_bump to change the version or a renewal to re-certify it"))
        errors.add("source", names.source_problem(source or (server.source if server else "")))
        if not use_case.strip():
            errors.add("use_case", "say what the server is for (the use case)")
    else:
        if not active and not errors.by_field.get("server_name"):
            errors.add("server_name", (
                f"{server_name} has no active approval: file a new_server request instead"))
        if source:
            errors.add("source", names.source_problem(source))
    if active:
        package = package or active.server.package
        if config in (None, {}) and kind == RequestKind.RENEWAL:
            config = active.config
        if kind == RequestKind.RENEWAL and not version:
            version = active.version
        proposed_data_scope = proposed_data_scope or active.data_scope
    elif server:
        package = package or server.package
    if config is None:
        config = {}
    validate_fields(errors, version=version, config=config,
                     proposed_data_scope=proposed_data_scope, package=package,
                     package_registry=package_registry or (server.package_registry if server
                                                           else ""))
    if not config and "config" not in errors.by_field:
        errors.add("config", "give the server's config: command and args, or type and url")
    check_identity(errors, kind=kind, server=server, base=active, package=package,
                    package_registry=package_registry, config=config)
    for message in tools.excluded_tools_problems(excluded_tools):
        errors.add("excluded_tools", message)

    bump = None
    if active and not errors.by_field.get("version"):
        if kind == RequestKind.RENEWAL and version != active.version:
            errors.add("version", (
                f"a renewal re-certifies version {active.version}; to change the version "
                "file a version_bump"))
        if kind == RequestKind.VERSION_BUMP:
            if version == active.version:
                errors.add("version", (
                    f"{version} is the approved version already: file a renewal to re-certify"))
            else:
                bump = identity.classify_change(old_version=active.version, new_version=version,
                                              old_config=active.config, new_config=config)

    denial = earlier_denial(server) if not active else None
    if denial and kind == RequestKind.NEW_SERVER and not what_changed.strip():
        alternative = f" Suggested alternative: {denial.denial_alternative.strip()}" if (
            denial.denial_alternative.strip()) else ""
        errors.add("what_changed", (
            f"{server_name} was denied on {denial.decided_at:%Y-%m-%d}: "
            f"{denial.denial_reason.strip()}{alternative} Say what has changed since."))
    errors.raise_if_any()

    duplicate = Request.objects.open().filter(server=server, version=version).first() if (
        server) else None
    if duplicate:
        raise Conflict(
            f"Request #{duplicate.pk} for {server_name} {version} is still open.",
            {"version": [f"an open request for {server_name} {version} exists already: "
                         f"#{duplicate.pk}"]},
            link=request_link(duplicate), conflict={"request_id": duplicate.pk},
        )

    with acting_as(actor):
        if server is None:
            try:
                with transaction.atomic():
                    server = Server.objects.create(
                        name=server_name, source=source, package=package,
                        package_registry=package_registry, created_at=now)
            except IntegrityError as exc:  # filed for the same new name at the same moment
                raise Conflict(f"{server_name} was just requested by someone else.",
                               {"server_name": ["a request for this server was filed a moment "
                                                "ago: open the catalog and follow that one"]},
                               ) from exc
        request = Request(
            kind=kind, server=server, version=version, requester=actor, requested_at=now,
            source=source or server.source, package=package,
            package_registry=package_registry or server.package_registry,
            use_case=use_case, proposed_data_scope=proposed_data_scope, config=config,
            notes=notes, what_changed=what_changed, base_approval=active,
            bump_level=bump.level if bump else "", bump_reason=bump.why if bump else "",
            risk=active.risk if active else "",
            data_scope=routing.stricter_scope(proposed_data_scope, active.data_scope)
            if active else "",
            rationale=active.rationale if active else "",
            restrictions=list(active.restrictions) if active else [],
            excluded_tools=tools.carried_exclusions(
                base_excluded=active.excluded_tools if active else (),
                proposed=excluded_tools if isinstance(excluded_tools, list) else ()),
        )
        request.expected_decision = now + route_of(request, policy).turnaround
        try:
            with transaction.atomic():
                request.save()
        except IntegrityError as exc:  # a concurrent twin got in first
            raise Conflict(
                f"An open request for {server_name} {version} exists already.",
                {"version": ["an open request for this server and version exists already"]},
            ) from exc
        record_event(request, actor, "filed", detail=route_of(request, policy).basis)
        reason = routing.auto_denial_reason(request.effective_data_scope, policy)
        if reason:
            decide_denied(request, None, reason=reason, alternative="", verb="auto_denied",
                           now=now)
        else:
            queue_notice(request, "filed")
            mark_registry_changed(request, "filed")
            start_inspection(request)
    return request


class _NothingSaved(Exception):
    """Ends a filing that was only checked: its transaction is rolled back."""


def filing_problems(**kwargs) -> dict[str, list[str]]:
    """Every problem file_request() would find with these values, by field, and nothing
    saved: the same rules run in a transaction that is always rolled back (its notices and
    tasks, queued for after a commit, go with it). Pages use it to show all the problems of
    a form at once, not the form's first and the rules' at the next submit."""
    try:
        with transaction.atomic():
            file_request(**kwargs)
            raise _NothingSaved
    except _NothingSaved:
        return {}
    except InvalidInput as exc:
        return exc.errors
    except Conflict:
        return {}  # a duplicate is told once the form is otherwise right
