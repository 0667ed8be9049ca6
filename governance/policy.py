"""The policy as pure functions: version pins, bump classification, routing, validity,
secret detection, the characters and URLs a config may hold and a server's identity.
Nothing here touches the database; `governance.selectors.current_policy` turns the rows
administrators edit into the `PolicyData` these functions take."""

from __future__ import annotations

import calendar
import datetime as dt
import ipaddress
import math
import posixpath
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from packaging.version import InvalidVersion, Version

ROLES = ("tech_lead", "security_team", "engineering_director", "platform_team")
SIGNING_ROLES = ("tech_lead", "security_team", "engineering_director")
DATA_SCOPES = ("PUBLIC", "INTERNAL", "CONFIDENTIAL", "RESTRICTED")
RISKS = ("LOW", "MEDIUM", "HIGH")
BUMP_LEVELS = ("patch", "minor", "major")

# Evidence words of the template's `requires` and what each asks of the request.
EVIDENCE = ("check_release_notes", "full_security_review", "sandbox_trial")
EVIDENCE_TEXT = {
    "check_release_notes": "release notes reviewed: the sign-off carries a link or text",
    "full_security_review": "full security review: the security sign-off carries a comment",
    "sandbox_trial": "sandbox trial: the request passed through sandbox_trial with trial notes",
}
TURNAROUND_RULE = "use a duration such as 48h, 3 days, 1 week or 2 weeks"


# ─── version pins (SPEC §4 rule 1) ──────────────────────────────────────────────────

OCI_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
EXACT_VERSION = re.compile(
    r"^(?P<release>\d+(?:\.\d+){2,3})"
    r"(?P<pre>(?:-[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)|(?:(?:a|b|rc|alpha|beta|pre|dev)\.?\d+))?"
    r"(?:\+[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)?$"
)
MOVING_TAGS = {"latest", "stable", "next", "main", "master", "head", "dev", "edge", "nightly"}
OPERATORS = re.compile(r"[\^~<>=|!*,\s]")
WILDCARD_PART = re.compile(r"(^|[.-])[xX*](?=$|[.-])")


def version_problem(version: str | None) -> str | None:
    """Why `version` is not an exact pin, or None when it is one."""
    if version is None or not str(version).strip():
        return "a version is required: pin an exact release such as 1.2.3"
    v = str(version)
    if v.strip().lower() in MOVING_TAGS:
        return f"'{v}' is a moving tag, not a release: pin an exact version such as 1.2.3"
    if OPERATORS.search(v):
        return (
            f"'{v}' is a range or has an operator (^ ~ > < = || * or a space): "
            "pin one exact version such as 1.2.3"
        )
    if WILDCARD_PART.search(v):
        return f"'{v}' has a wildcard part (x or *): pin one exact version such as 1.2.3"
    if v.startswith("sha256:"):
        if OCI_DIGEST.match(v):
            return None
        return "an OCI digest is sha256: followed by 64 lower-case hex characters"
    if EXACT_VERSION.match(v):
        return None
    if re.match(r"^\d+(\.\d+)?$", v):
        return (
            f"'{v}' names a release line, not a release: give major.minor.patch, "
            f"such as {v}{'.0' * (2 - v.count('.'))}"
        )
    if not v[0].isdigit():
        return f"'{v}' looks like a branch or tag name: pin an exact version such as 1.2.3"
    return f"'{v}' is not an exact version: use major.minor.patch, e.g. 1.2.3 or 2.1.0-rc.1"


NPM_SPEC = re.compile(r"^(?P<name>(?:@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*)@(?P<version>[^@/\s]+)$")
PYPI_SPEC = re.compile(r"^(?P<name>[A-Za-z0-9][\w.-]*)(?:\[[\w,.-]+\])?==(?P<version>\S+)$")
OCI_REF = re.compile(
    r"^(?P<name>[a-z0-9][\w.-]*(?::\d+)?(?:/[a-z0-9][\w.-]*)+)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)


def pinned_in_args(args, package: str = "") -> list[tuple[str, set[str]]]:
    """(argument, the versions it names) for each argument naming a package with a version.

    With `package` known only arguments naming that package count; without it, scoped
    npm specs (`@scope/pkg@1.2.3`), `pkg==1.2.3` and image digests count. An image
    reference with both a tag and a digest names both."""
    found = []
    for arg in args or []:
        if not isinstance(arg, str) or arg.startswith("-"):
            continue
        m = NPM_SPEC.match(arg)
        if m and (m["name"] == package or (not package and m["name"].startswith("@"))):
            found.append((arg, {m["version"]}))
            continue
        m = PYPI_SPEC.match(arg)
        if m and (not package or m["name"].lower() == package.lower()):
            found.append((arg, {m["version"]}))
            continue
        m = OCI_REF.match(arg)
        if m and (m["digest"] or (m["tag"] and package and m["name"] == package)):
            found.append((arg, {v for v in (m["digest"], m["tag"]) if v}))
    return found


def unpinned_in_args(args, package: str = "") -> list[str]:
    """Arguments that would run whatever release is newest: the package named without a
    version, or with a moving tag such as @latest."""
    found = []
    for arg in args or []:
        if not isinstance(arg, str) or arg.startswith("-"):
            continue
        if package and arg.lower() == package.lower():
            found.append(arg)
            continue
        m = NPM_SPEC.match(arg)
        if m and m["version"].lower() in MOVING_TAGS:
            found.append(arg)
            continue
        m = OCI_REF.match(arg)
        if m and package and m["name"] == package and (
                not (m["tag"] or m["digest"]) or (m["tag"] or "").lower() in MOVING_TAGS):
            found.append(arg)
    return found


def args_pin_problems(args, version: str, package: str = "") -> list[str]:
    problems = [
        f"argument '{arg}' runs version {' / '.join(sorted(pinned))} but the request pins "
        f"{version}: they must be the same"
        for arg, pinned in pinned_in_args(args, package)
        if version not in pinned
    ]
    problems += [
        f"argument '{arg}' names the package without its version, so the client would run "
        f"whatever release is newest: pin it to {version} (e.g. {package or 'pkg'}@{version}, "
        f"pkg=={version} or image@sha256:…)"
        for arg in unpinned_in_args(args, package)
    ]
    return problems


# ─── version bumps (SPEC §4 rule 4) ─────────────────────────────────────────────────


@dataclass(frozen=True)
class BumpClassification:
    level: str
    why: str


def _parse(version: str) -> Version | None:
    try:
        return Version(version)
    except (InvalidVersion, TypeError):
        return None


def classify_bump(old: str, new: str) -> BumpClassification:
    """patch, minor or major of `new` against `old`; anything unclear counts as major."""
    a, b = _parse(old), _parse(new)
    if a is None or b is None:
        return BumpClassification("major", "a version that cannot be classified counts as major")
    if b.is_prerelease or b.is_devrelease:
        return BumpClassification("major", "a pre-release counts as major")
    if b == a:
        return BumpClassification("major", "the same version is not a bump")
    if b < a:
        return BumpClassification("major", "a downgrade counts as major")
    ra = (a.release + (0, 0, 0))[:3]
    rb = (b.release + (0, 0, 0))[:3]
    if a.epoch != b.epoch or ra[0] != rb[0]:
        return BumpClassification("major", f"{old} → {new} changes the major version")
    if ra[1] != rb[1]:
        return BumpClassification("minor", f"{old} → {new} changes the minor version")
    return BumpClassification("patch", f"{old} → {new} changes only the patch level")


# ─── policy data and routing (SPEC §4 rules 2, 3, 4, 6, 7) ──────────────────────────


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


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_for(
    *, approved: dt.date, risk: str, policy: PolicyData, shortened: list | None = None
) -> dt.date:
    """Approval date plus the risk's validity; an approver may shorten it, never lengthen."""
    longest = add_months(approved, policy.validity_months[risk])
    earlier = [d for d in (shortened or []) if d is not None and d < longest]
    return min(earlier) if earlier else longest


def expiry_problem(*, approved: dt.date, wanted: dt.date, risk: str | None, policy) -> str | None:
    if wanted <= approved:
        return "the expiry must be after the approval date"
    if risk and wanted > add_months(approved, policy.validity_months[risk]):
        limit = add_months(approved, policy.validity_months[risk])
        return f"{risk} risk allows at most {policy.validity_months[risk]} months ({limit})"
    return None


# ─── secrets (SPEC §4 rule 8) ───────────────────────────────────────────────────────

PLACEHOLDER = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}")
KNOWN_TOKENS = [
    (re.compile(r"gh[pousr]_[A-Za-z0-9]{36,}"), "a GitHub token"),
    (re.compile(r"github_pat_[A-Za-z0-9_]{22,}"), "a GitHub fine-grained token"),
    (re.compile(r"(?:AKIA|ASIA)[A-Z0-9]{16}"), "an AWS access key id"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----"), "a private key"),
    (re.compile(r"xox[abposr]-[A-Za-z0-9-]{10,}"), "a Slack token"),
    (re.compile(r"glpat-[A-Za-z0-9_-]{20,}"), "a GitLab token"),
    (re.compile(r"sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"), "an API secret key"),
    (re.compile(r"(?:sk|rk)_live_[A-Za-z0-9]{16,}"), "a Stripe live key"),
    (re.compile(r"AIza[0-9A-Za-z_-]{35}"), "a Google API key"),
    (re.compile(r"npm_[A-Za-z0-9]{36}"), "an npm token"),
    (re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+"), "a JWT"),
    (re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@"), "a password inside a URL"),
]
SECRET_NAME = re.compile(
    r"(PASS(WORD|WD)?|SECRET|TOKEN|API[-_]?KEY|ACCESS[-_]?KEY|PRIVATE[-_]?KEY|CREDENTIAL"
    r"|AUTHORIZATION|SIGNATURE|^SIG$|^KEY$)", re.I)
AUTH_SCHEMES = ("bearer", "basic", "token")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9+/=_-]{20,}$")


def shannon_entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(c / len(text) * math.log2(c / len(text)) for c in counts.values())


def secret_problem(value, name: str = "") -> str | None:
    """Why `value` looks like a credential, or None. Placeholders such as ${VAR} pass."""
    if not isinstance(value, str) or not value:
        return None
    hint = f"use a placeholder such as ${{{_placeholder_name(name)}}} and load it at runtime"
    for pattern, what in KNOWN_TOKENS:
        if pattern.search(value):
            return f"looks like {what}: secrets never enter the portal, {hint}"
    query = re.match(r"^[a-z][a-z0-9+.-]*://[^?#\s]*\?([^#\s]+)", value, re.I)
    if query:  # a key in a URL's query string is still a key
        for key, param in parse_qsl(query[1], keep_blank_values=False):
            problem = secret_problem(param, key)
            if problem:
                return f"its query parameter {key}: {problem}"
    literal = PLACEHOLDER.sub("", value).strip()
    scheme, _, rest = literal.partition(" ")
    if scheme.lower() in AUTH_SCHEMES:
        if len(rest.strip()) >= 8:
            return f"carries a literal credential: {hint}"
        literal = rest.strip()
    if name and SECRET_NAME.search(name) and literal:
        return f"{name} names a secret but has a literal value: {hint}"
    for token in literal.split():
        if UUID.match(token) or not TOKEN_SHAPE.match(token):
            continue
        has_letter = any(ch.isalpha() for ch in token)
        has_digit = any(ch.isdigit() for ch in token)
        threshold = 3.5 if len(token) >= 32 else 3.8
        if has_letter and has_digit and shannon_entropy(token) >= threshold:
            return f"looks like a random key or token ({len(token)} characters): {hint}"
    return None


def _placeholder_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name or "").upper().strip("_")
    return cleaned or "SECRET"


# ─── characters and remote URLs (SPEC §4 rule 11) ───────────────────────────────────

# Invisible or reordering characters make a name, an argument or a URL show something
# other than what runs: control characters (Cc), format characters (Cf: the bidirectional
# overrides and isolates, zero-width spaces and joiners, the BOM), lone surrogates and the
# Unicode line and paragraph separators. The bidi and zero-width ones are also listed by
# code point, so that the rule holds whatever a later Unicode version calls them.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
BIDI_AND_ZERO_WIDTH = frozenset([*range(0x202A, 0x202F), *range(0x2066, 0x206A),
                                 *range(0x200B, 0x200E), 0x2060, 0xFEFF])
CONTROL_NAMES = {0x00: "NULL", 0x09: "CHARACTER TABULATION", 0x0A: "LINE FEED",
                 0x0D: "CARRIAGE RETURN", 0x1B: "ESCAPE", 0x7F: "DELETE", 0x85: "NEXT LINE"}


def character_name(ch: str) -> str:
    """`U+202E RIGHT-TO-LEFT OVERRIDE`: the code point and its Unicode name."""
    name = unicodedata.name(ch, "") or CONTROL_NAMES.get(ord(ch), "CONTROL CHARACTER")
    return f"U+{ord(ch):04X} {name}"


def character_problem(value) -> str | None:
    """Why `value` may not be shown as it runs (a control, bidirectional-override or
    zero-width character), naming the character; None for text without one."""
    if not isinstance(value, str):
        return None
    for position, ch in enumerate(value, start=1):
        if ord(ch) in BIDI_AND_ZERO_WIDTH or unicodedata.category(ch) in HIDDEN_CATEGORIES:
            return (f"contains {character_name(ch)} (character {position}): control, "
                    "bidirectional-override and zero-width characters can make it read as "
                    "something other than what runs, so they are refused; remove it")
    return None


_NETLOC = re.compile(r"^(?P<host>\[[^\]]*\]|[^:\[\]]*)(?::(?P<port>[^:]*))?$")
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
URL_RULE = "give one concrete endpoint such as https://mcp.example.com/mcp"


def remote_url_problem(url) -> str | None:
    """Why `url` is not one concrete https endpoint, or None (SPEC §4 rule 11).

    Clients read `*` in a `serverUrl` entry of managed-settings.json as a wildcard: one
    denied pattern would block approved servers, one approved pattern would allow any. So
    a remote URL is https, a valid host name or IP address, an optional port, a path and
    a query; no `*`, no user info before the host (`https://good.com@evil.com`), no
    placeholder, no fragment, no spaces or backslashes. Plain http is refused: the config's
    headers (tokens, as `${VAR}` placeholders) would travel in clear."""
    if not isinstance(url, str) or not url.strip():
        return f"a remote server needs its URL: {URL_RULE}"
    problem = character_problem(url)
    if problem:
        return problem
    if "*" in url:
        return ("'*' is a wildcard where clients match serverUrl (managed-settings.json): a "
                "denied pattern would block approved servers and an approved one would allow "
                f"any server; no patterns, {URL_RULE}")
    if any(ch.isspace() for ch in url) or "\\" in url:
        return f"a URL has no spaces or backslashes: {URL_RULE}"
    if "${" in url:
        return ("a placeholder makes the URL differ from machine to machine, so the allowlist "
                f"could not pin it: {URL_RULE}, and pass per-user values in headers")
    scheme, _, rest = url.partition("://")
    if scheme.lower() == "http":
        return ("plain http:// would send the headers (tokens) in clear: a remote server "
                "needs an https:// URL")
    if scheme != "https" or not rest:
        return f"a remote server needs an https:// URL: {URL_RULE}"
    try:
        parts = urlsplit(url)
    except ValueError:  # a bracketed host that is no IP address, or an unbalanced bracket
        return f"the host is not a valid IPv6 address in brackets: {URL_RULE}"
    if parts.fragment or url.endswith("#"):
        return f"a fragment (#…) is never sent to the server: {URL_RULE}"
    if "@" in parts.netloc:
        return ("the URL has user info before the host (user@ or user:password@), which can "
                "disguise the host it reaches: give the host alone, and credentials as a "
                "${VAR} placeholder in a header")
    netloc = _NETLOC.match(parts.netloc)
    if not netloc:
        return f"'{parts.netloc}' is not a host and an optional port: {URL_RULE}"
    host = netloc["host"]
    if not host:
        return f"the URL has no host: {URL_RULE}"
    port = netloc["port"]
    if port is not None and not (port.isdigit() and 0 < int(port) < 65536):
        return f"'{port}' is not a port: give a number from 1 to 65535, or none"
    return _host_problem(host)


def _host_problem(host: str) -> str | None:
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
            return None
        except ValueError:
            return f"'{host}' is not an IPv6 address"
    if not host.isascii():
        return (f"'{host}' is not an ASCII host name: write an internationalised name in its "
                "xn-- form, so that look-alike letters cannot pass for another host")
    labels = host.split(".")
    if len(host) > 253 or not all(_HOST_LABEL.match(label) for label in labels):
        return (f"'{host}' is not a valid host name: letters, digits and dashes in "
                "dot-separated labels (no empty label, no trailing dot)")
    if all(label.isdigit() for label in labels):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return f"'{host}' is not a valid IPv4 address"
    return None


def url_origin(url: str) -> str:
    """The origin of a concrete URL: scheme, host (lower case) and port (443 unless given)."""
    parts = urlsplit(url)
    host = _NETLOC.match(parts.netloc)["host"].lower()
    return f"{parts.scheme.lower()}://{host}:{parts.port or 443}"


# ─── client configs ─────────────────────────────────────────────────────────────────

REMOTE_TYPES = ("http", "sse")
STDIO_KEYS = {"type", "command", "args", "env"}
REMOTE_KEYS = {"type", "url", "headers"}


def config_problems(config, *, version: str = "", package: str = "",
                    package_registry: str = "") -> dict[str, list[str]]:
    """Problems of a Claude Code server config, keyed by the field they concern.

    With `package` given, a stdio config must run that package (SPEC §4 rule 12)."""
    errors: dict[str, list[str]] = {}

    def add(key, message):
        if message:
            errors.setdefault(key, []).append(message)

    if not isinstance(config, dict):
        return {"config": ["must be an object with command/args/env or type/url/headers"]}
    kind = config.get("type")
    if kind in REMOTE_TYPES or ("url" in config and "command" not in config):
        if kind not in REMOTE_TYPES:
            add(
                "config.type",
                "a remote server needs type http or sse: without it Claude Code reads "
                "the entry as stdio",
            )
        for key in sorted(set(config) - REMOTE_KEYS):
            add(f"config.{key}", f"unknown key for a remote server; allowed: {sorted(REMOTE_KEYS)}")
        url = config.get("url")
        add("config.url", remote_url_problem(url) or secret_problem(url, "url"))
        _check_mapping(config.get("headers", {}), "config.headers", add)
        return errors
    if kind not in (None, "stdio"):
        add("config.type", f"unknown type '{kind}': use stdio, http or sse")
    for key in sorted(set(config) - STDIO_KEYS):
        add(f"config.{key}", f"unknown key for a stdio server; allowed: {sorted(STDIO_KEYS)}")
    command = config.get("command")
    if not isinstance(command, str) or not command.strip():
        add("config.command", "a stdio server needs a command, e.g. npx")
    else:
        add("config.command", character_problem(command))
    args = config.get("args", [])
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        add("config.args", "args must be a list of strings")
    else:
        for number, arg in enumerate(args, start=1):
            problem = character_problem(arg)
            add("config.args", f"argument {number} {problem}" if problem else None)
        for problem in _args_secret_problems(args):
            add("config.args", problem)
        if version:
            for problem in args_pin_problems(args, version, package):
                add("config.args", problem)
    _check_mapping(config.get("env", {}), "config.env", add)
    if not errors and package:
        for key, messages in package_problems(config, package=package,
                                              package_registry=package_registry).items():
            for message in messages:
                add(key, message)
    return errors


HEX_OR_DIGEST = re.compile(r"^(sha256:)?[0-9a-f]+$")


def _args_secret_problems(args: list[str]) -> list[str]:
    """Secrets passed as arguments: `--api-key=…`, `--token …`, or a bare key or token.
    Paths, package specs and hex digests (commit or image pins) are not secrets."""
    problems, flag = [], ""
    for arg in args:
        name, value = flag, arg
        if arg.startswith("-"):
            name, _, value = arg.lstrip("-").partition("=")
            flag = "" if value else name
            if not value:
                continue
        else:
            flag = ""
        if not value or HEX_OR_DIGEST.match(value) or (
                not name and ("/" in value or "@" in value) and not any(
                    p.search(value) for p, _ in KNOWN_TOKENS)):
            continue
        problem = secret_problem(value, name)
        if problem:
            problems.append(f"argument {arg[:16]}…: {problem}")
    return problems


def _check_mapping(mapping, where, add):
    if not isinstance(mapping, dict):
        add(where, "must be an object of NAME: value strings")
        return
    for name, value in mapping.items():
        problem = character_problem(name)
        if problem:
            add(where, f"the name {name!r} {problem}")
            continue
        if not isinstance(value, str):
            add(f"{where}.{name}", "must be a string")
            continue
        problem = secret_problem(value, str(name))
        if problem:
            add(f"{where}.{name}", problem)


# ─── names and sources ──────────────────────────────────────────────────────────────

SERVER_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def name_problem(name) -> str | None:
    if not isinstance(name, str) or not name:
        return "a name is required"
    if character_problem(name):
        return character_problem(name)
    if SERVER_NAME.match(name):
        return None
    return (
        f"'{name}' is not a valid server name: use 1 to 64 lower-case letters, digits, "
        "dots, dashes or underscores, starting with a letter or digit (no spaces)"
    )


def source_problem(source) -> str | None:
    if source == "internal":
        return None
    if character_problem(source):
        return character_problem(source)
    if isinstance(source, str) and re.match(r"^https://[^\s/]+\.[^\s]+$", source):
        return None
    return f"'{source}' is not a source: give an https:// URL, or 'internal' for company-built"


def choice_problem(value, choices, what) -> str | None:
    if value in choices:
        return None
    return f"unknown {what} '{value}': use one of {', '.join(choices)}"


def package_problem(package) -> str | None:
    """Why `package` cannot name a package (npm, PyPI or OCI), or None."""
    if not package:
        return None
    if not isinstance(package, str):
        return "must be a package name"
    if character_problem(package):
        return character_problem(package)
    if package != package.strip() or any(ch.isspace() for ch in package):
        return f"{package!r} has a space: a package name is one word, e.g. @scope/pkg"
    return None


# ─── a server's identity (SPEC §4 rule 12) ──────────────────────────────────────────

# Commands that fetch a package and run it, by the words that start them, and the registry
# they fetch from. `cmd /c` (how Windows starts npx) is looked through.
PACKAGE_RUNNERS = {
    ("npx",): "npm", ("bunx",): "npm", ("pnpx",): "npm", ("npm", "exec"): "npm",
    ("pnpm", "dlx"): "npm", ("yarn", "dlx"): "npm", ("bun", "x"): "npm",
    ("uvx",): "pypi", ("uv", "tool", "run"): "pypi", ("pipx", "run"): "pypi",
    ("docker", "run"): "oci", ("podman", "run"): "oci",
}
RUNNER_EXAMPLE = {"npm": "npx -y", "pypi": "uvx", "oci": "docker run -i --rm"}
REGISTRY_NAMES = {"npm": "npm", "pypi": "PyPI", "oci": "OCI"}
# The runners' options that take a value (the next argument, unless written --opt=value),
# so that the package is found after them.
_VALUE_OPTIONS = {
    "npm": "-p --package -c --call --registry --userconfig --cache -w --workspace",
    "pypi": "--from --spec -w --with --with-editable --with-requirements -p --python --index "
            "-i --index-url --extra-index-url --default-index -f --find-links --pip-args "
            "--python-preference --cache-dir --directory --project --env-file "
            "--index-strategy --keyring-provider -C --config-setting --exclude-newer "
            "--prerelease --resolution --link-mode",
    "oci": "-e --env --env-file -v --volume --mount -p --publish --name --network --net -u "
           "--user -w --workdir --entrypoint --platform --pull -l --label --label-file "
           "--add-host --cap-add --cap-drop --security-opt --tmpfs -h --hostname -m --memory "
           "--memory-swap --cpus --device --dns --ulimit --log-driver --log-opt --restart "
           "--shm-size --stop-signal --runtime --ipc --pid --userns --group-add --cidfile "
           "--health-cmd -a --attach --gpus --storage-opt --sysctl --annotation",
}
VALUE_OPTIONS = {registry: frozenset(text.split()) for registry, text in _VALUE_OPTIONS.items()}
# Options that name the package to fetch, and options that say where packages come from:
# another registry or index (or an extra package) is another package, whatever its name.
PACKAGE_OPTIONS = {"npm": {"-p", "--package"}, "pypi": {"--from", "--spec"}, "oci": set()}
SOURCE_OPTIONS = {
    "npm": {"--registry"},
    "pypi": {"--index", "-i", "--index-url", "--extra-index-url", "--default-index", "-f",
             "--find-links", "-w", "--with", "--with-editable", "--with-requirements"},
    "oci": set(),
}
NPM_PACKAGE_SPEC = re.compile(
    r"^(?P<name>(?:@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*)(?:@[^\s/:@]+)?$")
PYPI_PACKAGE_SPEC = re.compile(
    r"^(?P<name>[A-Za-z0-9](?:[\w.-]*[A-Za-z0-9])?)(?:\[[\w,.-]+\])?(?:(?:==|@)[^\s/:@]+)?$")
OCI_IMAGE_SPEC = re.compile(
    r"^(?P<name>[a-z0-9][a-z0-9._-]*(?::\d+)?(?:/[a-z0-9][a-z0-9._-]*)*)"
    r"(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$")


@dataclass(frozen=True)
class Identity:
    """What a config runs, as far as it decides which server it is (SPEC §4 rule 12)."""

    transport: str                      # stdio, http or sse
    runner: tuple[str, ...] = ()        # the words that start it: ("npx",), ("docker", "run")
    registry: str = ""                  # npm, pypi or oci when the runner fetches a package
    package: str = ""                   # that package, as its registry compares names
    sources: tuple[str, ...] = ()       # another registry, index or extra package, if named
    origin: str = ""                    # a remote server's https://host:port

    def runs(self) -> str:
        if self.transport != "stdio":
            return f"the {self.transport} endpoint at {self.origin}"
        what = f"`{' '.join(self.runner)}`"
        if self.package:
            what = f"the {REGISTRY_NAMES[self.registry]} package {self.package} with {what}"
        return what + (f" ({', '.join(self.sources)})" if self.sources else "")


def normalise_package(registry: str, name: str) -> str:
    """A package name as its registry compares it: PyPI ignores case and runs of - _ .;
    OCI references are lower case; npm names are compared as written."""
    if registry == "pypi":
        return re.sub(r"[-_.]+", "-", name).lower()
    if registry == "oci":
        return name.lower()
    return name


def _command_base(command: str) -> str:
    """/usr/local/bin/npx, npx.cmd, NPX.EXE: npx."""
    name = posixpath.basename(command.replace("\\", "/")).lower()
    for suffix in (".cmd", ".exe", ".bat", ".ps1"):
        name = name.removesuffix(suffix)
    return name


def _fetched_package(registry: str, rest: list[str]) -> tuple[str, tuple[str, ...]]:
    """The package spec a runner fetches from its arguments, and the sources they name."""
    chosen, sources, index = "", [], 0
    while index < len(rest):
        arg = rest[index]
        if arg == "--":
            return chosen or (rest[index + 1] if index + 1 < len(rest) else ""), tuple(sources)
        if arg.startswith("-") and len(arg) > 1:
            name, equals, value = arg.partition("=")
            if not equals and name in VALUE_OPTIONS[registry]:
                value = rest[index + 1] if index + 1 < len(rest) else ""
                index += 1
            if name in PACKAGE_OPTIONS[registry] and not chosen:
                chosen = value
            if name in SOURCE_OPTIONS[registry]:
                sources.append(f"{name} {value}")
            index += 1
            continue
        return chosen or arg, tuple(sources)
    return chosen, tuple(sources)


def package_of_spec(registry: str, spec: str) -> str:
    """The package a runner's spec names (`@scope/pkg@1.2.3`, `pkg==1.2.3`,
    `image:tag@sha256:…`); a spec that is not a registry package (a path, a git or tarball
    URL, an alias) is returned whole, so that it never equals a package name."""
    pattern = {"npm": NPM_PACKAGE_SPEC, "pypi": PYPI_PACKAGE_SPEC, "oci": OCI_IMAGE_SPEC}[registry]
    m = pattern.match(spec)
    return normalise_package(registry, m["name"]) if m else spec


def config_identity(config) -> Identity | None:
    """The identity of a config, or None for a config too broken to have one (its own
    problems are reported by `config_problems`)."""
    if not isinstance(config, dict):
        return None
    if config.get("type") in REMOTE_TYPES:
        url = config.get("url")
        if remote_url_problem(url):
            return None
        return Identity(config["type"], origin=url_origin(url))
    command, args = config.get("command"), config.get("args", [])
    if not isinstance(command, str) or not command.strip() or not isinstance(args, list) or (
            not all(isinstance(a, str) for a in args)):
        return None
    words, prefix = [command, *args], []
    if _command_base(command) == "cmd" and len(words) > 2 and words[1].lower() == "/c":
        prefix, words = words[:2], words[2:]
    for start, registry in sorted(PACKAGE_RUNNERS.items(), key=lambda item: -len(item[0])):
        size = len(start)
        if (len(words) >= size and _command_base(words[0]) == start[0]
                and tuple(words[1:size]) == start[1:]):
            spec, sources = _fetched_package(registry, words[size:])
            return Identity("stdio", tuple(prefix + words[:size]), registry,
                            package_of_spec(registry, spec) if spec else "", sources)
    return Identity("stdio", tuple(prefix + words[:1]))


def package_problems(config, *, package: str, package_registry: str = "") -> dict[str, list]:
    """The package a stdio config runs must be the package the request names, so that the
    registry YAML (`npm_package` …) and the allowlist (the exact argv) never disagree."""
    identity = config_identity(config)
    if not package or identity is None or identity.transport != "stdio":
        return {}
    registry = package_registry or identity.registry
    if not identity.registry:
        example = RUNNER_EXAMPLE.get(registry, "npx -y, uvx or docker run")
        return {"config.command": [
            f"`{identity.runner[-1]}` does not fetch a package, but the request names the "
            f"package {package}: run it with the command that fetches it ({example}), or "
            "leave the package out"]}
    if identity.registry != registry:
        return {"config.command": [
            f"{package} is a {REGISTRY_NAMES.get(registry, registry)} package, but "
            f"`{' '.join(identity.runner)}` fetches from {REGISTRY_NAMES[identity.registry]}: "
            f"run it with {RUNNER_EXAMPLE[registry]}"]}
    if not identity.package:
        return {"config.args": [
            f"`{' '.join(identity.runner)}` is given no package to run: name {package} "
            "with its version in the args"]}
    if identity.package != normalise_package(registry, package):
        return {"config.args": [
            f"the args run {identity.package}, but the request names the package {package}: "
            "the registry and the allowlist must name the same package. Another package "
            "is another server: file a new_server request for it, under its own name"]}
    if identity.sources:
        return {"config.args": [
            f"{', '.join(identity.sources)} fetches {package} from elsewhere than its "
            f"registry, or adds packages to it: name only {package}, from "
            f"{REGISTRY_NAMES[registry]}"]}
    return {}


def identity_problems(*, old_config, new_config, kind: str, server: str) -> dict[str, list]:
    """A version bump or a renewal keeps the server's identity (SPEC §4 rule 12): the same
    command runs the same package from the same place, or the same origin serves it. A
    change of transport is allowed to a bump (classified major by `classify_change`), not
    to a renewal, which re-certifies what is approved."""
    old, new = config_identity(old_config), config_identity(new_config)
    if old is None or new is None:
        return {}
    again = ("Another package, command or endpoint is another server: file a new_server "
             "request for it, under its own name.")
    if old.transport != new.transport:
        if kind == "renewal":
            return {"config.type": [
                f"a renewal re-certifies {server} as approved ({old.transport}); a change "
                "of transport is a version_bump, classified major"]}
        if "stdio" not in (old.transport, new.transport) and old.origin != new.origin:
            return {"config.url": [
                f"{server} is served from {old.origin}, this URL from {new.origin}: a "
                f"{kind} keeps the server's origin (scheme, host and port). {again}"]}
        return {}
    if old.transport != "stdio":
        if old.origin != new.origin:
            return {"config.url": [
                f"{server} is served from {old.origin}, this URL from {new.origin}: a "
                f"{kind} keeps the server's origin (scheme, host and port). {again}"]}
        return {}
    if old.runner != new.runner:
        return {"config.command": [
            f"{server} runs {old.runs()}; this config runs {new.runs()}: a {kind} keeps "
            f"the command that starts the server. {again}"]}
    if (old.package, old.sources) != (new.package, new.sources):
        return {"config.args": [
            f"{server} runs {old.runs()}; this config runs {new.runs()}: a {kind} keeps "
            f"the server's package. {again}"]}
    return {}


def classify_change(*, old_version: str, new_version: str, old_config=None,
                    new_config=None) -> BumpClassification:
    """`classify_bump`, at least major when the transport (stdio, http, sse) or the command
    that runs the server changes (SPEC §4 rules 4 and 12)."""
    bump = classify_bump(old_version, new_version)
    old, new = config_identity(old_config), config_identity(new_config)
    if bump.level == "major" or old is None or new is None:
        return bump
    if old.transport != new.transport:
        return BumpClassification("major", f"{bump.why}, but a change of transport "
                                           f"({old.transport} → {new.transport}) counts as major")
    if old.runner != new.runner:
        return BumpClassification("major", f"{bump.why}, but a change of the command that runs "
                                           "it counts as major")
    return bump


def registry_package(config) -> tuple[str, str]:
    """(registry, package) that a stdio config fetches from its registry, or ("", "") when
    it runs no registry package (a path, a git URL, a remote server)."""
    identity = config_identity(config)
    if identity is None or not identity.package or identity.sources:
        return "", ""
    pattern = {"npm": NPM_PACKAGE_SPEC, "pypi": PYPI_PACKAGE_SPEC, "oci": OCI_IMAGE_SPEC}
    if not pattern[identity.registry].match(identity.package):
        return "", ""
    return identity.registry, identity.package
