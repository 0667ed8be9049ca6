"""The shape of a Claude Code server config (SPEC §4 rules 1, 8, 11, 12), checked
field by field: a stdio command with its args and env, or a remote type, url and headers."""

from __future__ import annotations

from .characters import character_problem
from .identity import package_problems
from .remote import REMOTE_TYPES, remote_url_problem
from .secrets import args_secret_problems, secret_problem
from .versions import args_pin_problems

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
        for problem in args_secret_problems(args):
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
