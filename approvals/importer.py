"""The registry importer: a parsed registry file (registry.formats) written in one
transaction, all of it or, on any error, nothing. It writes both layers' records: servers,
approvals and the policy rows through the registry's services, pending requests and
denials through the workflow's, so it lives in the workflow app, above the registry."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from audit.actors import acting_as
from audit.writes import audit_written
from governance.errors import InvalidInput
from governance.models import IncidentResponse, Organisation, VersionBumpRule
from governance.policy import identity
from registry import formats
from registry.models import Approval, Server
from registry.services import activate_many, one_change

from . import services as workflow
from .models import OPEN_STATUSES, Request


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_default_timezone())


def _user_for(email: str, cache: dict):
    """The user an imported address names, created without a password or roles if new."""
    email = (email or "").strip()
    if not email:
        return None
    if email not in cache:
        user_model = get_user_model()
        user = user_model.objects.filter(email__iexact=email).order_by("pk").first() or (
            user_model.objects.filter(username=email).first())
        if user is None:
            user = user_model(username=email[:150], email=email)
            user.set_unusable_password()
            user.save()
        cache[email] = user
    return cache[email]


def import_registry(*, registry: formats.Registry, actor=None, dry_run: bool = False,
                    today: dt.date | None = None) -> dict[str, int]:
    """Write a parsed registry in one transaction: all of it or, on any error, nothing.
    Entries are matched by name (and version) so that importing twice changes nothing.

    It goes through the same functions as the workflow: approvals become active (and
    supersede the older one) through `activate`, pending requests move and RESTRICTED ones
    are denied through the workflow service, with their events and notices; the whole
    import is one registry change."""
    today = today or timezone.localdate()
    counts = dict.fromkeys(("servers_created", "approvals_created", "approvals_updated",
                            "pending_created", "pending_updated", "denied_created",
                            "denied_unchanged"), 0)
    users: dict = {}
    with transaction.atomic(), acting_as(actor), one_change("registry imported"):
        org = Organisation.load()
        for key, value in registry.metadata.items():
            setattr(org, key, value)
        org.save()
        incident = IncidentResponse.load()
        for key, value in registry.incident_response.items():
            setattr(incident, key, value)
        incident.save()
        for level, values in registry.version_bump_policy.items():
            VersionBumpRule.objects.update_or_create(level=level, defaults=values)

        servers = {s.name: s for s in Server.objects.select_for_update().filter(
            name__in={e.name for e in [*registry.approved, *registry.pending_review,
                                       *registry.denied]})}

        def server_for(name, **fields):
            server = servers.get(name)
            if server is None:
                server = Server.objects.create(name=name, **fields)
                servers[name] = server
                counts["servers_created"] += 1
            else:
                changed = {k: v for k, v in fields.items() if v and getattr(server, k) != v}
                if changed:
                    for k, v in changed.items():
                        setattr(server, k, v)
                    server.save()
            return server

        # The active approvals of the servers the file names, read (and locked) once.
        actives = {a.server_id: a for a in Approval.objects.select_for_update(of=("self",))
                   .select_related("server").filter(server__in=list(servers.values()),
                                                    status=Approval.Status.ACTIVE)}
        identity_problems = _identity_problems(
            registry, {a.server.name: a for a in actives.values()})
        if identity_problems:
            raise InvalidInput("The file changes what an approved server is; nothing was "
                               "imported.", identity_problems)
        counts["servers_created"] += _create_servers(registry.approved, servers, actor)
        approvers = _approvers(registry.approved)
        to_activate = []
        for entry in registry.approved:
            server = server_for(entry.name, source=entry.source, package=entry.package,
                                package_registry=entry.package_registry)
            fields = dict(
                data_scope=entry.data_scope, risk=entry.risk, rationale=entry.rationale,
                restrictions=entry.restrictions, config=entry.config,
                excluded_tools=entry.excluded_tools, approved_by=entry.approved_by,
                approved_date=entry.approved_date, expires=entry.expires,
            )
            active = actives.get(server.pk)
            if active and active.version == entry.version:
                changed = [k for k, v in fields.items() if getattr(active, k) != v]
                if changed:  # rare: saved one at a time, audited by django-auditlog
                    for k in changed:
                        setattr(active, k, fields[k])
                    active.save()
                    counts["approvals_updated"] += 1
                continue  # the same entry imported again costs no query
            to_activate.append((
                Approval(server=server, version=entry.version, **fields),
                list({user.pk: user for email in entry.approved_by.split(",")
                      for user in approvers.get(email.strip(), ())}.values())))
        counts["approvals_created"] += len(activate_many(approvals=to_activate, actor=actor))

        for entry in registry.pending_review:
            server = server_for(entry.name, source=entry.source)
            requester = _user_for(entry.requested_by, users)
            active = Approval.objects.filter(server=server, status="active").first()
            fields = dict(
                kind=entry.kind, source=entry.source, use_case=entry.use_case,
                proposed_data_scope=entry.proposed_data_scope,
                reviewer=_user_for(entry.reviewer, users), notes=entry.notes,
                config=entry.config, requester=requester,
                requested_at=_midnight(entry.requested_date),
                expected_decision=_midnight(entry.expected_decision),
            )
            if entry.kind == "version_bump" and active:
                bump = identity.classify_change(old_version=active.version,
                                              new_version=entry.version,
                                              old_config=active.config, new_config=entry.config)
                fields.update(bump_level=bump.level, bump_reason=bump.why, base_approval=active)
            elif entry.kind == "renewal" and active:
                fields.update(base_approval=active)
            existing = Request.objects.select_for_update(of=("self",)).select_related(
                "server").filter(server=server, version=entry.version,
                                 status__in=OPEN_STATUSES).first()
            if existing:
                changed = [k for k, v in fields.items() if getattr(existing, k) != v]
                if changed:
                    for k in changed:
                        setattr(existing, k, fields[k])
                    existing.save()
                moved = workflow.record_imported(actor=actor, request=existing,
                                                 status=entry.status, created=False)
                if changed or moved:
                    counts["pending_updated"] += 1
                continue
            if Request.objects.filter(server=server, version=entry.version, kind=entry.kind,
                                      requested_at=fields["requested_at"]).exists():
                continue  # imported before and decided since (RESTRICTED: at once)
            request = Request.objects.create(server=server, version=entry.version, **fields)
            workflow.record_imported(actor=actor, request=request, status=entry.status,
                                     created=True)
            counts["pending_created"] += 1

        for entry in registry.denied:
            server = server_for(entry.name)
            decided_at = _midnight(entry.denied_date)
            # The same denial is the same server and reason; its date may have been moved.
            existing = Request.objects.filter(server=server, status="denied",
                                              denial_reason=entry.reason).first()
            if existing:
                if (existing.decided_at, existing.denial_alternative) != (
                        decided_at, entry.alternative):
                    existing.decided_at = decided_at
                    existing.denial_alternative = entry.alternative
                    existing.save()
                counts["denied_unchanged"] += 1
                continue
            request = Request.objects.create(
                kind="new_server", server=server, requester=_user_for(entry.requested_by, users),
                requested_at=decided_at, expected_decision=decided_at, proposed_data_scope="",
            )
            workflow.record_imported_denial(actor=actor, request=request, reason=entry.reason,
                                            alternative=entry.alternative,
                                            decided_at=decided_at)
            counts["denied_created"] += 1

        if dry_run:
            transaction.set_rollback(True)
    return counts


def _create_servers(entries, servers: dict, actor) -> int:
    """The servers the entries name that do not exist yet, made in bulk (with their audit
    entries) and added to `servers`. Returns how many."""
    new = {}
    for entry in entries:
        if entry.name not in servers and entry.name not in new:
            new[entry.name] = Server(name=entry.name, source=entry.source,
                                     package=entry.package,
                                     package_registry=entry.package_registry)
    Server.objects.bulk_create(new.values(), batch_size=1000)
    audit_written([(None, server) for server in new.values()], actor=actor,
                  now=timezone.now())
    servers.update(new)
    return len(new)


def _approvers(entries) -> dict[str, list]:
    """The users each address in the entries' approved_by names, read in one query."""
    emails = {email.strip() for entry in entries for email in entry.approved_by.split(",")}
    found: dict[str, list] = {}
    for user in get_user_model().objects.filter(email__in=emails - {""}).order_by("pk"):
        found.setdefault(user.email, []).append(user)
    return found


def _identity_problems(registry: formats.Registry, active: dict) -> dict[str, list[str]]:
    """SPEC §4 rule 12 for a file: an approved entry that replaces (or rewrites) a server's
    active approval (`active`, by server name), and a pending bump or renewal, keep the
    server's identity: its package and what its approved config runs. Problems keyed by
    entry and field. An entry with the active approval's config and package, as every
    entry of a file imported again, keeps it by definition and is not checked."""
    problems: dict[str, list[str]] = {}

    def add(where, found):
        for key, messages in found.items():
            problems.setdefault(f"{where}.{key}", []).extend(messages)

    for index, entry in enumerate(registry.approved):
        current = active.get(entry.name)
        if current is None or (entry.config == current.config and entry.package in (
                "", current.server.package)):
            continue
        where = f"approved[{index}] ({entry.name})"
        server = current.server
        if server.package and entry.package and identity.normalise_package(
                server.package_registry, entry.package) != identity.normalise_package(
                server.package_registry, server.package):
            add(where, {formats.PACKAGE_KEYS.get(entry.package_registry, "package"): [
                f"{entry.name} is the package {server.package} (approved at "
                f"{current.version}): another package is another server; give it its own "
                "name"]})
            continue
        kind = "renewal" if entry.version == current.version else "version_bump"
        add(where, identity.identity_problems(old_config=current.config, new_config=entry.config,
                                            kind=kind, server=entry.name))
    for index, entry in enumerate(registry.pending_review):
        current = active.get(entry.name)
        if current is None or entry.kind == "new_server" or not entry.config:
            continue
        where = f"pending_review[{index}] ({entry.name})"
        found = identity.package_problems(entry.config, package=current.server.package,
                                        package_registry=current.server.package_registry)
        add(where, found or identity.identity_problems(
            old_config=current.config, new_config=entry.config, kind=entry.kind,
            server=entry.name))
    return problems
