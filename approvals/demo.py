"""The embedded demo: a user for every role and the template's registry with its dates
moved so that approvals are live, one expires soon and one review is overdue."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.roles import ALL_ROLES, Role
from audit.actors import acting_as, system_user
from registry import formats

from . import importer
from . import services as workflow
from .models import Request

TEMPLATE = Path(settings.BASE_DIR) / "registry" / "data" / "mcp-registry-template.yaml"
DEMO_PASSWORD = "demo-portal-2026"
DEMO_USERS = [
    # username, e-mail (as the template names them), roles, superuser
    ("admin", "admin@company.com", [], True),
    ("dev", "dev@company.com", [], False),
    ("john", "john.doe@company.com", [Role.TECH_LEAD], False),
    ("jane", "jane.smith@company.com", [Role.SECURITY_TEAM], False),
    ("sec", "security@company.com", [Role.SECURITY_TEAM], False),
    ("erin", "engineering-director@company.com", [Role.ENGINEERING_DIRECTOR], False),
    ("pat", "platform-team@company.com", [Role.PLATFORM_TEAM], False),
]


def shift_registry(registry: formats.Registry, today: dt.date,
                   soonest_expiry_in_days: int = 12) -> formats.Registry:
    """Move every date by one offset so the earliest approval expires in a few days."""
    earliest = min((e.expires for e in registry.approved), default=today)
    offset = (today + dt.timedelta(days=soonest_expiry_in_days)) - earliest

    def move(entry, *names):
        return dataclasses.replace(entry, **{n: getattr(entry, n) + offset for n in names})

    metadata = dict(registry.metadata, last_reviewed=today - dt.timedelta(days=60),
                    next_review=today + dt.timedelta(days=30))
    return dataclasses.replace(
        registry,
        metadata=metadata,
        approved=[move(e, "approved_date", "expires") for e in registry.approved],
        pending_review=[move(e, "requested_date", "expected_decision")
                        for e in registry.pending_review],
        denied=[move(e, "denied_date") for e in registry.denied],
    )


def ensure_demo_users() -> dict[str, object]:
    user_model = get_user_model()
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ALL_ROLES}
    users = {}
    for username, email, roles, superuser in DEMO_USERS:
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"email": email, "is_staff": superuser,
                                         "is_superuser": superuser})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(*(groups[r] for r in roles))
        users[username] = user
    return users


@transaction.atomic
def load_demo(today: dt.date | None = None) -> dict[str, object]:
    today = today or timezone.localdate()
    users = ensure_demo_users()
    registry, problems = formats.parse_registry(TEMPLATE.read_text(encoding="utf-8"))
    if problems:
        raise ValueError("the demo template does not parse: " + "; ".join(problems))
    with acting_as(system_user()):
        importer.import_registry(registry=shift_registry(registry, today),
                                          actor=system_user())
    if not Request.objects.filter(server__name="context7", version="1.2.4").exists():
        workflow.file_request(
            actor=users["dev"], kind="version_bump", server_name="context7", version="1.2.4",
            config={"command": "npx", "args": ["-y", "@context7/mcp-server@1.2.4"], "env": {}},
            use_case="Patch release with fixed search ranking.",
        )
    if not Request.objects.filter(server__name="playwright-mcp").exists():
        request = workflow.file_request(
            actor=users["dev"], kind="new_server", server_name="playwright-mcp",
            version="0.0.41", source="https://github.com/microsoft/playwright-mcp",
            package="@playwright/mcp", package_registry="npm", proposed_data_scope="INTERNAL",
            use_case="Browser checks of our own staging sites, with an URL allowlist.",
            what_changed="Scoped to an allowlist of internal staging URLs, as the denial of "
                         "browser-automation-mcp suggested.",
            config={"command": "npx", "args": ["-y", "@playwright/mcp@0.0.41",
                                               "--allowed-origins", "https://staging.internal"]},
        )
        workflow.assign(actor=users["jane"], request=request)
        workflow.set_assessment(actor=users["jane"], request=request, risk="MEDIUM")
        workflow.sign_off(actor=users["john"], request=request, role="tech_lead",
                          decision="approve", comment="Useful for our e2e checks.")
    return users
