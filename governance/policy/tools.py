"""Tool-level approval (issue 14, section 3): the tools of a server an approval excludes,
how exclusions carry over to the approval that supersedes it, and the Claude Code rules
that deny them.

Tool names follow the MCP specification (2025-11-25, "Tools", tool names): 1 to 128
characters, ASCII letters, digits, `_`, `-` and `.`, case-sensitive. Claude Code names a
tool `mcp__<server>__<tool>`, each part with every character outside `[A-Za-z0-9_-]`
replaced by `_` (`client_name`); its permission rules use that name
(code.claude.com/docs/en/settings, "Permission rule syntax": `mcp__server__tool`)."""

from __future__ import annotations

import re

TOOL_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
TOOL_NAME_RULE = ("1 to 128 characters: ASCII letters, digits, underscores, dashes and dots "
                  "(the MCP specification's tool names)")
MAX_EXCLUDED = 200
_NOT_CLIENT = re.compile(r"[^A-Za-z0-9_-]")


def client_name(name: str) -> str:
    """A server or tool name as Claude Code writes it in `mcp__<server>__<tool>`: every
    character outside [A-Za-z0-9_-] becomes `_`. The hook (client/mcp_governance_hook.py,
    standard library only, so a copy) normalises the same way; a test holds them equal."""
    return _NOT_CLIENT.sub("_", name)


def deny_rule(server: str, tool: str) -> str:
    """The Claude Code permission rule that denies one tool of one server."""
    return f"mcp__{client_name(server)}__{client_name(tool)}"


def split_names(text: str) -> list[str]:
    """Tool names as a person types them: one per line, or separated by commas. A space
    inside a name stays, so that "delete repository" is refused rather than read as two
    tools that happen to be valid names."""
    return [part.strip() for part in re.split(r"[\r\n,]+", text or "") if part.strip()]


def excluded_tools_problems(value) -> list[str]:
    """Why `value` is not a list of excluded tool names, one sentence per problem (empty
    when it is one). Duplicates are not a problem: `clean_excluded_tools` drops them."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        return [f"must be a list of tool names, not {type(value).__name__}"]
    problems = []
    for position, name in enumerate(value, start=1):
        if not isinstance(name, str):
            problems.append(f"item {position} must be a tool name, not {type(name).__name__}")
        elif not name.strip():
            problems.append(f"item {position} is empty: give a tool name")
        elif not TOOL_NAME.fullmatch(name.strip()):
            problems.append(f"'{name.strip()[:140]}' is not a tool name: use {TOOL_NAME_RULE}")
    if len(clean_excluded_tools(value)) > MAX_EXCLUDED:
        problems.append(f"at most {MAX_EXCLUDED} tools can be excluded from one approval")
    return problems


def clean_excluded_tools(value) -> list[str]:
    """The names stripped, without duplicates, sorted: the form an approval keeps (so the
    same set is always written, exported and compared the same way)."""
    return sorted({name.strip() for name in value or () if isinstance(name, str)
                   and name.strip()})


def carried_exclusions(*, base_excluded, proposed=(), base_offered=None,
                       offered=None) -> list[str]:
    """The exclusions a bump or renewal starts from: those of the approval it supersedes
    (kept unless a reviewer lifts them), those the requester proposes, and, where the tools
    of both versions are known (an inspection's lists, `base_offered` and `offered`), every
    tool the new version adds: a new tool is excluded until someone approves it."""
    carried = set(clean_excluded_tools(base_excluded)) | set(clean_excluded_tools(proposed))
    if base_offered is not None and offered is not None:
        carried |= set(clean_excluded_tools(offered)) - set(clean_excluded_tools(base_offered))
    return sorted(carried)


def lifted(before, after) -> list[str]:
    """The exclusions `after` no longer has: a tool that was excluded and is now allowed."""
    return sorted(set(clean_excluded_tools(before)) - set(clean_excluded_tools(after)))


def deny_rules(excluded_by_server) -> list[str]:
    """The permission rules for {server name: excluded tools}, each once, sorted."""
    return sorted({deny_rule(server, tool) for server, tools in excluded_by_server.items()
                   for tool in clean_excluded_tools(tools)})


def merged_deny(existing, rules) -> list[str]:
    """`permissions.deny` of a settings file: the rules already there (kept, in their
    order) followed by the new ones that are not among them, in their sorted order."""
    existing = [rule for rule in existing or () if isinstance(rule, str)]
    seen = set(existing)
    return [*existing, *(rule for rule in rules if rule not in seen)]
