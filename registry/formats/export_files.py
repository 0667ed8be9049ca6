"""The three export files written in one pass over the approved entries, for a registry of
any size: each entry is written into text fragments as it is read (the entries are never
all held), and the files are joined from the fragments. The bytes are exactly those of
`dump_registry_yaml` and `dump_json` of `managed_mcp` and `managed_settings`
(tests/registry/test_export_build.py compares them)."""

from __future__ import annotations

import datetime as dt
import re
from operator import attrgetter, itemgetter
from typing import NamedTuple

import orjson

from .claude_code import Pinned, allow_entry, denylist, dump_json, url_is_pattern, with_tool_rules
from .records import ApprovedEntry, Registry
from .registry_yaml import HEADER, approved_record, document_parts
from .yaml_emitter import ListWriter, to_yaml

# orjson writes JSON in C. Its indented text is json.dumps(indent=2, ensure_ascii=False)'s
# for strings, integers, true, false, null and containers (tests compare them over every
# code point); it differs for floats under 1e-4 (0.00001 where json writes 1e-05), and it
# writes NaN as null. A file where either could be is written by `dump_json`.
_INDENT = orjson.OPT_INDENT_2
_EXPONENT = re.compile(rb"[0-9]e-")


def json_file(document: dict) -> bytes:
    """`dump_json(document)` as UTF-8."""
    try:
        text = orjson.dumps(document, option=_INDENT | orjson.OPT_APPEND_NEWLINE)
    except TypeError:  # a key that is not a string, an integer beyond 64 bits
        text = None
    if text is None or b"0.0000" in text or b"null" in text or _EXPONENT.search(text):
        return dump_json(document).encode()
    return text


class _Excluding(NamedTuple):
    """What `with_tool_rules` reads of an approval."""

    name: str
    excluded_tools: list


class ExportFiles:
    """`add` every active approval, oldest first (as the registry YAML lists them), saying
    whether it is in force; then `files()`. Of an approval, the registry YAML's entry is
    written at once; the deployable files keep its name and config, sorted by name at the
    end."""

    def __init__(self, *, yaml: bool = True, claude_code: bool = True):
        self._approved = ListWriter("approved") if yaml else None
        self._claude_code = claude_code
        self._servers: list[tuple[str, dict]] = []
        self._excluding: list[_Excluding] = []  # the deployable approvals that exclude tools
        self.valid_until: dt.date | None = None

    def add(self, entry: ApprovedEntry, in_force: bool, *, yaml: str | None = None
            ) -> str | None:
        """Add an approval; its registry YAML entry is `yaml` when given (the text this
        writer wrote for the same entry before), else written here. Returns the text
        written here (None when `yaml` was given or the YAML is not written)."""
        written = None
        if self._approved is not None:
            if yaml is None:
                written = self._approved.add(approved_record(entry))
            else:
                self._approved.add_text(yaml)
        if not in_force:
            return written
        if self.valid_until is None or entry.expires < self.valid_until:
            self.valid_until = entry.expires
        if self._claude_code and not url_is_pattern(entry.config.get("url")):
            self._servers.append((entry.name, entry.config))
            if entry.excluded_tools:
                self._excluding.append(_Excluding(entry.name, entry.excluded_tools))
        return written

    def files(self, registry: Registry, denied: list[tuple[str, dict]]) -> dict[str, bytes]:
        """The files' bytes, by name. `registry` gives every section but `approved`."""
        out = {}
        if self._approved is not None:
            head, tail = document_parts(registry)
            approved, self._approved = self._approved.text(), None
            out["mcp-registry.yaml"] = "".join(
                (HEADER, to_yaml(head), approved, to_yaml(tail))).encode()
            del approved
        if self._claude_code:
            self._servers.sort(key=itemgetter(0))  # stable, as `deployable`
            out["managed-mcp.json"] = json_file({"mcpServers": dict(self._servers)})
            allowed = [allow_entry(config) for _name, config in self._servers]
            pinned = Pinned()
            if denied:  # what the denylist is checked against
                for (name, _config), entry in zip(self._servers, allowed, strict=True):
                    pinned.add(name, entry)
            self._servers.clear()
            self._excluding.sort(key=attrgetter("name"))  # stable, as `deployable`
            out["managed-settings.json"] = json_file(with_tool_rules({
                "allowManagedMcpServersOnly": True, "allowedMcpServers": allowed,
                "deniedMcpServers": denylist(denied, pinned)}, self._excluding))
        return out
