"""The names a request gives (SPEC §4): a server's name, its source, its package and
the choices of a closed list."""

from __future__ import annotations

import re

from .characters import character_problem

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


# An organisation's namespace in the MCP Registry API: a reverse-DNS name (`com.acme`) that
# prefixes every served server name (`com.acme/context7`); the API's names allow letters,
# digits, dots and dashes before their one slash.
NAMESPACE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
NAMESPACE_RULE = ("a reverse-DNS name of two or more dot-separated parts, lower-case letters, "
                  "digits and dashes (for example com.acme)")


def namespace_problem(namespace) -> str | None:
    if isinstance(namespace, str) and len(namespace) <= 100 and NAMESPACE.fullmatch(namespace):
        return None
    return f"'{namespace}' is not a namespace: use {NAMESPACE_RULE}"
