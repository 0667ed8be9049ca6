"""Routing (SPEC §4 rules 2, 3, 4 and 6): the policy's data as administrators edit it,
who must sign off a request, by when and with what evidence, and which data scopes are
denied at submission."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

ROLES = ("tech_lead", "security_team", "engineering_director", "platform_team")
SIGNING_ROLES = ("tech_lead", "security_team", "engineering_director")
DATA_SCOPES = ("PUBLIC", "INTERNAL", "CONFIDENTIAL", "RESTRICTED")
RISKS = ("LOW", "MEDIUM", "HIGH")

# Evidence words of the template's `requires` and what each asks of the request.
EVIDENCE = ("check_release_notes", "full_security_review", "sandbox_trial")
EVIDENCE_TEXT = {
    "check_release_notes": "release notes reviewed: the sign-off carries a link or text",
    "full_security_review": "full security review: the security sign-off carries a comment",
    "sandbox_trial": "sandbox trial: the request passed through sandbox_trial with trial notes",
}
TURNAROUND_RULE = "use a duration such as 48h, 3 days, 1 week or 2 weeks"


@dataclass(frozen=True)
class BumpRuleData:
    requires: str
    approver: str
    turnaround: str


@dataclass(frozen=True)
class ClassificationData:
    mcp_access: str = "ALLOWED"
    extra_approver: str = ""
    denial_reason: str = ""


DEFAULT_RESTRICTED_REASON = (
    "RESTRICTED data may not be reached through MCP (security review, data "
    "classification: Restricted — DENIED, no MCP access)."
)


@dataclass(frozen=True)
class PolicyData:
    new_server_approver: str = "tech_lead + security_team"
    new_server_turnaround: str = "1 week"
    high_risk_approver: str = "engineering_director"
    bump_rules: dict = field(
        default_factory=lambda: {
            "patch": BumpRuleData("check_release_notes", "tech_lead", "48h"),
            "minor": BumpRuleData("full_security_review", "security_team", "1 week"),
            "major": BumpRuleData(
                "full_security_review + sandbox_trial",
                "security_team + engineering_director",
                "2 weeks",
            ),
        }
    )
    validity_months: dict = field(default_factory=lambda: {"LOW": 6, "MEDIUM": 3, "HIGH": 1})
    classification: dict = field(
        default_factory=lambda: {
            "PUBLIC": ClassificationData("ALLOWED"),
            "INTERNAL": ClassificationData("ALLOWED"),
            "CONFIDENTIAL": ClassificationData("RESTRICTED", "engineering_director"),
            "RESTRICTED": ClassificationData("DENIED", "", DEFAULT_RESTRICTED_REASON),
        }
    )


def split_plus(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split("+") if part.strip()]


def role_list_problem(text: str, allow_empty: bool = False) -> str | None:
    parts = split_plus(text)
    if not parts and not allow_empty:
        return "name at least one role, e.g. tech_lead + security_team"
    unknown = [p for p in parts if p not in SIGNING_ROLES]
    if unknown:
        return f"unknown role {', '.join(unknown)}: use {', '.join(SIGNING_ROLES)}"
    return None


def evidence_problem(text: str) -> str | None:
    unknown = [p for p in split_plus(text) if p not in EVIDENCE]
    if unknown:
        return f"unknown evidence {', '.join(unknown)}: use {', '.join(EVIDENCE)}"
    return None


_DURATION = re.compile(r"^\s*(\d+)\s*(h|hours?|d|days?|w|weeks?)\s*$", re.IGNORECASE)


def parse_turnaround(text: str) -> dt.timedelta | None:
    m = _DURATION.match(text or "")
    if not m:
        return None
    n, unit = int(m[1]), m[2].lower()[0]
    return {"h": dt.timedelta(hours=n), "d": dt.timedelta(days=n), "w": dt.timedelta(weeks=n)}[
        unit
    ]


@dataclass(frozen=True)
class Route:
    """Who must sign off, by when, and with what evidence."""

    required_roles: tuple[str, ...]
    turnaround: dt.timedelta
    evidence: tuple[str, ...]
    basis: str

    def describe_evidence(self) -> list[str]:
        return [EVIDENCE_TEXT[e] for e in self.evidence]


def _add_roles(roles: list[str], more: list[str]) -> None:
    for role in more:
        if role not in roles:
            roles.append(role)


def route_for(
    *, kind: str, bump_level: str | None, risk: str | None, data_scope: str, policy: PolicyData
) -> Route:
    """SPEC rules 3 and 4, plus rule 2's extra sign-off for CONFIDENTIAL data."""
    if kind == "version_bump":
        level = bump_level or "major"
        rule = policy.bump_rules[level]
        roles = split_plus(rule.approver)
        turnaround = parse_turnaround(rule.turnaround)
        evidence = split_plus(rule.requires)
        basis = f"{level} version bump"
    else:
        roles = split_plus(policy.new_server_approver)
        turnaround = parse_turnaround(policy.new_server_turnaround)
        evidence = ["full_security_review"]
        basis = "new server" if kind == "new_server" else "renewal"
        if risk == "HIGH":
            _add_roles(roles, split_plus(policy.high_risk_approver))
            basis += ", HIGH risk"
    extra = policy.classification.get(data_scope)
    if extra and extra.extra_approver:
        _add_roles(roles, split_plus(extra.extra_approver))
        basis += f", {data_scope} data"
    return Route(tuple(roles), turnaround or dt.timedelta(weeks=1), tuple(evidence), basis)


def stricter_scope(*scopes: str) -> str:
    """The most sensitive of the given data scopes (blank ones ignored)."""
    known = [s for s in scopes if s in DATA_SCOPES]
    return max(known, key=DATA_SCOPES.index) if known else ""


def auto_denial_reason(data_scope: str, policy: PolicyData) -> str | None:
    """The reason a request with this scope is denied at submission, or None."""
    rule = policy.classification.get(data_scope)
    if rule and rule.mcp_access == "DENIED":
        return rule.denial_reason or DEFAULT_RESTRICTED_REASON
    return None
