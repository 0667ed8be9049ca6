"""Secrets (SPEC §4 rule 8): a value, a header or an argument that looks like a
credential is refused; placeholders such as ${VAR} pass. Known token shapes, names that
say "secret", auth schemes with a literal credential, and random-looking tokens."""

from __future__ import annotations

import math
import re
from collections import Counter
from urllib.parse import parse_qsl

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


HEX_OR_DIGEST = re.compile(r"^(sha256:)?[0-9a-f]+$")


def args_secret_problems(args: list[str]) -> list[str]:
    """Secrets passed as arguments: `--api-key=…`, `--token …`, or a bare key or token.
    Paths, package specs and hex digests (commit or image pins) are not secrets; an
    argument of several words is checked word by word even when one of them is a path or
    an address (`host@x <token>`)."""
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
                not name and ("/" in value or "@" in value) and " " not in value
                and not any(p.search(value) for p, _ in KNOWN_TOKENS)):
            continue
        problem = secret_problem(value, name)
        if problem:
            problems.append(f"argument {arg[:16]}…: {problem}")
    return problems
