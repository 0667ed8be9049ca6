"""What a server can do, as its inspection found it (issue 14): how a bump's capabilities
differ from the approved version's, the marks and poisoning signs a reviewer is shown,
the lowest bump level the capability change allows (the policy's capability rules), and
how an inspection starts the server a config names. Pure: plain dicts in, plain data out.

A tool is a dict as recorded: name, description, input_schema and annotations (the MCP
spec's ToolAnnotations: readOnlyHint, destructiveHint, idempotentHint, openWorldHint)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .identity import VALUE_OPTIONS, config_identity
from .versions import BUMP_LEVELS

ANNOTATIONS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")

# The capability changes a rule can name, and what each means (the admin's choices).
CHANGES = {
    "tool_added": "adds a tool",
    "destructive_tool_added": "adds a destructive tool",
    "open_world_tool_added": "adds an open-world tool",
    "tool_changed": "changes a tool's description, schema or annotations",
    "poisoning_sign": "a description shows a tool-poisoning sign",
    "not_inspectable": "could not be inspected",
}
DEFAULT_RULES = {
    "tool_added": "minor",
    "destructive_tool_added": "major",
    "open_world_tool_added": "major",
    "not_inspectable": "minor",
}

# Words of a tool's name that say it changes or destroys something (split on _ - . and
# camelCase): a tool that claims read-only but is named so is marked for the reviewer.
DESTRUCTIVE_WORDS = frozenset((
    "delete", "remove", "rm", "drop", "destroy", "purge", "wipe", "erase", "truncate", "kill",
    "terminate", "reset", "overwrite", "revoke", "uninstall", "unlink", "format", "shred"))


@dataclass(frozen=True)
class ToolChange:
    name: str
    what: tuple[str, ...]          # description, schema, annotations


@dataclass(frozen=True)
class CapabilityDiff:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[ToolChange, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _by_name(tools) -> dict[str, dict]:
    return {t["name"]: t for t in tools or [] if isinstance(t, dict) and "name" in t}


def annotations_of(tool: dict) -> dict:
    given = tool.get("annotations") or {}
    return {key: given.get(key) for key in ANNOTATIONS if given.get(key) is not None}


def diff_tools(old_tools, new_tools) -> CapabilityDiff:
    """Tools added, removed, and changed (description, input schema, annotations)."""
    old, new = _by_name(old_tools), _by_name(new_tools)
    changed = []
    for name in sorted(old.keys() & new.keys()):
        what = tuple(label for label, key in (("description", "description"),
                                              ("schema", "input_schema"))
                     if (old[name].get(key) or "") != (new[name].get(key) or ""))
        if annotations_of(old[name]) != annotations_of(new[name]):
            what += ("annotations",)
        if what:
            changed.append(ToolChange(name, what))
    return CapabilityDiff(tuple(sorted(new.keys() - old.keys())),
                          tuple(sorted(old.keys() - new.keys())), tuple(changed))


def name_words(name: str) -> set[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name or "")
    return {w.lower() for w in re.split(r"[\s_.\-/:]+", spaced) if w}


def is_destructive(tool: dict) -> bool:
    """Declared destructive (destructiveHint, which the spec presumes true for a tool that
    is not read-only) or named so."""
    hints = annotations_of(tool)
    if hints.get("readOnlyHint") is True:
        return hints.get("destructiveHint") is True or bool(
            name_words(tool.get("name", "")) & DESTRUCTIVE_WORDS)
    return hints.get("destructiveHint") is not False or bool(
        name_words(tool.get("name", "")) & DESTRUCTIVE_WORDS)


def is_open_world(tool: dict) -> bool:
    """The spec presumes openWorldHint true when it is not given."""
    return annotations_of(tool).get("openWorldHint") is not False


def read_only_marks(tool: dict) -> list[str]:
    """Why a tool that claims read-only deserves a second look (empty when it does not
    claim it, or nothing contradicts the claim)."""
    hints = annotations_of(tool)
    if hints.get("readOnlyHint") is not True:
        return []
    marks = []
    words = sorted(name_words(tool.get("name", "")) & DESTRUCTIVE_WORDS)
    if words:
        marks.append(f"claims read-only but its name says {', '.join(words)}")
    if hints.get("destructiveHint") is True:
        marks.append("claims read-only and destructive at once")
    if hints.get("openWorldHint") is True:
        marks.append("claims read-only but reaches the open world (openWorldHint)")
    return marks


# Tool-poisoning signs (Invariant Labs' "tool poisoning attack" write-up, 2025, and the
# MCP spec's security notes): text that speaks to the model rather than describing the
# tool, asks it to read secrets, or to keep things from the user; invisible characters.
_SIGNS = (
    ("addressed to the model", re.compile(
        r"<\s*/?\s*(important|system|instructions?|secret)\s*>|\b(ignore|disregard|forget) "
        r"(all |any )?(previous|prior|above|other|earlier) (instructions|tools?|rules)|\bbefore "
        r"(using|calling) (this|any|the) tool\b|\byou (must|should|will) (always|first|also|"
        r"now|never)\b|\bas an ai\b|\byou are (an? |the )?(ai|assistant|model|llm|agent)\b|"
        r"\b(note|message|instructions?) (to|for) (the )?(ai|assistant|model|llm|agent)\b|"
        r"\b(the )?(assistant|model|llm|ai agent) (must|should) |<\|im_(start|end)\|>|"
        r"\[/?inst\]|\bsystem prompt\b",
        re.IGNORECASE)),
    ("asks to read secret files (~/.ssh, .env, credentials)", re.compile(
        r"~/\.ssh|\.ssh/|id_rsa|id_ed25519|(^|[\s/'\"`])\.env\b|\.aws/credentials|"
        r"\.npmrc|\.pypirc|\.netrc|\.git-credentials|/etc/(passwd|shadow)|\bmcp\.json\b",
        re.IGNORECASE | re.MULTILINE)),
    ("asks to hide things from the user", re.compile(
        r"\b(do not|don't|never) (tell|inform|mention|show|reveal|notify)( this)?( to)? "
        r"(the )?user|\bwithout (telling|informing|notifying) the user|\bhide (it|this|them)? "
        r"?from the user|\bthe user (must|should) not (know|see)|\bsilently\b",
        re.IGNORECASE)),
)


# Code points that show nothing, beyond the format characters (Cf): fillers and blanks
# that render as empty space, combining joiners, variation selectors (which can carry
# bytes unseen), tag characters.
_BLANKS = frozenset((0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x2800, 0x3164, 0xFFA0,
                     *range(0x180B, 0x1810), *range(0xFE00, 0xFE10), *range(0xE0000, 0xE0080),
                     *range(0xE0100, 0xE01F0)))


def _is_invisible(ch: str) -> bool:
    """Format (Cf), private-use (Co) and unassigned (Cn) code points, control characters
    other than tab and line breaks (an ANSI escape can hide text in a terminal), and the
    blanks above."""
    category = unicodedata.category(ch)
    return (category in ("Cf", "Co", "Cn") or ord(ch) in _BLANKS
            or (category == "Cc" and ch not in "\t\n\r"))


def invisible_characters(text: str) -> list[str]:
    """Code points a reader cannot see, as U+XXXX."""
    return sorted({f"U+{ord(ch):04X}" for ch in text or "" if _is_invisible(ch)})


def tool_text(tool: dict) -> str:
    """Every text of a tool the model reads: its title, description, and each string of
    its input schema (a parameter's description is read as well as the tool's)."""
    texts, stack, budget = [str(tool.get("title") or ""), str(tool.get("description") or "")], [
        tool.get("input_schema")], 10_000
    while stack and budget:
        budget -= 1
        item = stack.pop()
        if isinstance(item, str):
            texts.append(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return "\n".join(texts)


def poisoning_signs(text: str) -> list[str]:
    """The tool-poisoning signs in a description (flagged for the reviewer, not denied).
    Matched on the text as it reads (NFKC, invisible characters dropped), so full-width
    letters or a zero-width space inside a word do not hide it."""
    hidden = invisible_characters(text)
    readable = unicodedata.normalize("NFKC", "".join(
        ch for ch in text or "" if not _is_invisible(ch)))
    signs = [label for label, pattern in _SIGNS if pattern.search(readable)]
    if hidden:
        signs.append(f"invisible Unicode ({', '.join(hidden[:5])})")
    return signs


@dataclass(frozen=True)
class Floor:
    """The lowest bump level the capability change allows, and why."""

    level: str = ""
    reasons: tuple[str, ...] = ()

    def why(self) -> str:
        return "; ".join(self.reasons)


def _level_index(level: str) -> int:
    return BUMP_LEVELS.index(level) if level in BUMP_LEVELS else -1


def higher_level(first: str, second: str) -> str:
    return first if _level_index(first) >= _level_index(second) else second


def capability_floor(*, outcome: str, old_tools, new_tools, rules: dict,
                     tools_cut: bool = False) -> Floor:
    """What the rules (change -> lowest level) ask of a bump: `outcome` is the
    inspection's (done or anything else); old_tools None when the approved version's
    capabilities are unknown (nothing to compare: only an uninspectable bump is raised);
    `tools_cut` when the new version listed more tools than were recorded (those past the
    cut are unknown, so not excluded: routed as not inspectable, at the least)."""
    found: list[tuple[str, str]] = []
    if outcome != "done":
        found.append(("not_inspectable", "the new version could not be inspected"))
    elif tools_cut:
        found.append(("not_inspectable", "the new version lists more tools than the "
                                         "inspection records"))
    elif old_tools is not None:
        new = _by_name(new_tools)
        change = diff_tools(old_tools, new_tools)
        for name in change.added:
            found.append(("tool_added", f"adds the tool {name}"))
            if is_destructive(new[name]):
                found.append(("destructive_tool_added", f"adds the destructive tool {name}"))
            if is_open_world(new[name]):
                found.append(("open_world_tool_added", f"adds the open-world tool {name}"))
        for tool_change in change.changed:
            found.append(("tool_changed", f"changes the {', '.join(tool_change.what)} of "
                                          f"{tool_change.name}"))
        for tool in new.values():
            if poisoning_signs(tool_text(tool)):
                found.append(("poisoning_sign", f"the description of {tool['name']} shows "
                                                "a tool-poisoning sign"))
    level, reasons = "", []
    for change_key, reason in found:
        wanted = rules.get(change_key, "")
        if wanted not in BUMP_LEVELS:
            continue
        if _level_index(wanted) > _level_index(level):
            level, reasons = wanted, []
        if wanted == level:
            reasons.append(reason)
    return Floor(level, tuple(dict.fromkeys(reasons)))


def level_rule_problem(change: str, level: str) -> str | None:
    if change not in CHANGES:
        return f"unknown capability change {change}: use {', '.join(CHANGES)}"
    if level not in BUMP_LEVELS:
        return f"unknown level {level}: use {', '.join(BUMP_LEVELS)}"
    return None


# ─── how the inspection starts a server ─────────────────────────────────────────────

@dataclass(frozen=True)
class LaunchPlan:
    """How to inspect what a config runs: `kind` npm, pypi or remote (a URL), or empty
    with the `reason` it cannot be inspected."""

    kind: str = ""
    package: str = ""          # the registry's name
    version: str = ""
    command: str = ""          # npm: the bin when named (-p pkg bin); pypi: the executable
    args: tuple[str, ...] = ()  # the server's own arguments
    env: dict = field(default_factory=dict)
    url: str = ""
    reason: str = ""


PLACEHOLDER = "placeholder-for-inspection"


def _positional(registry: str, rest: list[str]) -> int:
    """The index in `rest` of the runner's first positional argument (-1 if none)."""
    index = 0
    while index < len(rest):
        arg = rest[index]
        if arg == "--":
            return index + 1 if index + 1 < len(rest) else -1
        if arg.startswith("-") and len(arg) > 1:
            name, equals, _ = arg.partition("=")
            index += 2 if not equals and name in VALUE_OPTIONS[registry] else 1
            continue
        return index
    return -1


def launch_plan(config, *, version: str) -> LaunchPlan:
    """The package (and version) to install and the arguments to start it with; every
    environment variable the config names gets a placeholder value."""
    identity = config_identity(config)
    if identity is None:
        return LaunchPlan(reason="the config is not one the portal can start")
    if identity.transport != "stdio":
        return LaunchPlan(kind="remote", url=config.get("url", ""))
    env = config.get("env") if isinstance(config.get("env"), dict) else {}
    placeholders = {str(key): PLACEHOLDER for key in env}
    if identity.registry not in ("npm", "pypi") or not identity.package:
        what = f"`{' '.join(identity.runner)}`"
        return LaunchPlan(reason=f"{what} does not fetch an npm or PyPI package: only "
                                 "packages (npx, uvx) and remote servers are inspected")
    rest = [config["command"], *config.get("args", [])][len(identity.runner):]
    index = _positional(identity.registry, rest)
    named = any(arg.split("=")[0] in ("-p", "--package", "--from") for arg in rest[:max(index, 0)])
    command = rest[index] if named and index >= 0 else ""
    if identity.registry == "pypi" and not command:
        command = identity.package
    args = tuple(rest[index + 1:]) if index >= 0 else ()
    return LaunchPlan(kind=identity.registry, package=identity.package, version=version,
                      command=command, args=args, env=placeholders)
