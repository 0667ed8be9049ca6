"""A YAML writer for plain data (dicts, lists, scalars) that PyYAML reads back unchanged."""

from __future__ import annotations

import datetime as dt
import json
import re

# The registry YAML is written by `to_yaml` below rather than by yaml.dump: PyYAML builds a
# Python node for every scalar first, which costs seconds for 5,000 approvals. Strings that
# could be read as anything else are written as JSON strings, which YAML reads as
# double-quoted scalars; tests load every output back and compare.
_IMPLICIT = re.compile(
    r"^(?:[-+]?\.?[0-9].*|[-+]?\.(?:inf|nan)|y|n|yes|no|true|false|on|off"
    r"|null|~|<<|=)$", re.IGNORECASE)
_PLAIN = re.compile(r"^[A-Za-z0-9_./$(][A-Za-z0-9_./$()+=,;'@ -]*$")


def _plain_ok(text: str) -> bool:
    return (bool(_PLAIN.fullmatch(text)) and not _IMPLICIT.fullmatch(text) and text[-1] != " "
            and " #" not in text and ": " not in text and text[-1] != ":")


# Characters YAML may not hold as they are (PyYAML's reader refuses them, or YAML 1.1
# reads them as line breaks): escape them.
_NON_PRINTABLE = re.compile("[^\x09\x0A\x0D\x20-\x7E\xA0-\u2027\u202A-\uD7FF"
                            "\uE000-\uFFFD\U00010000-\U0010FFFF]")


def _yaml_escape(match) -> str:
    code = ord(match.group())
    return f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}" if code <= 0xFFFF else (
        f"\\U{code:08X}")


def _quoted(text: str) -> str:
    return _NON_PRINTABLE.sub(_yaml_escape, json.dumps(text, ensure_ascii=False))


def _scalar(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, dt.date):
        return f'"{value.isoformat()}"'
    text = str(value)
    return text if text and _plain_ok(text) else _quoted(text)


def _block_text(text: str) -> bool:
    """Multi-line prose is written as a literal block when that is exact."""
    return ("\n" in text and text[0] not in " \t" and "\r" not in text and "\t" not in text
            and not text.endswith("\n\n") and text.strip("\n") != ""
            and not _NON_PRINTABLE.search(text)
            and all(line == line.rstrip() for line in text.split("\n")))


class _Writer:
    """Writes plain data as block YAML; each distinct scalar is written once per document
    (dates, scopes, approvers, commands and keys repeat across thousands of entries)."""

    def __init__(self):
        self.strings: dict[str, str] = {}

    def scalar(self, value) -> str:
        if value.__class__ is not str:  # 1, 1.0 and True are one key: only strings cached
            return _scalar(value)
        text = self.strings.get(value)
        if text is None:
            text = self.strings[value] = _scalar(value)
        return text

    def emit(self, value, indent: int, out: list[str]) -> None:
        pad, strings = "  " * indent, self.strings
        if isinstance(value, dict):
            for key, item in value.items():
                head = f"{pad}{strings.get(key) or self.scalar(key)}:"
                if isinstance(item, dict | list):
                    if item:
                        out.append(head + "\n")
                        self.emit(item, indent + 1, out)
                    else:
                        out.append(f"{head} {'{}' if isinstance(item, dict) else '[]'}\n")
                elif isinstance(item, str) and "\n" in item and _block_text(item):
                    out.append(f"{head} |{'' if item.endswith(chr(10)) else '-'}\n")
                    out.extend(f"{pad}  {line}\n" if line else "\n"
                               for line in item.rstrip("\n").split("\n"))
                else:
                    text = strings.get(item) if item.__class__ is str else None
                    out.append(f"{head} {text or self.scalar(item)}\n")
            return
        for item in value:
            if isinstance(item, dict | list) and item:
                lines: list[str] = []
                self.emit(item, indent + 1, lines)
                out.append(f"{pad}- {lines[0].lstrip()}")
                out.extend(lines[1:])
            elif isinstance(item, dict | list):
                out.append(f"{pad}- {'{}' if isinstance(item, dict) else '[]'}\n")
            else:
                out.append(f"{pad}- {self.scalar(item)}\n")


def list_of_mappings(key: str, items, indent: int = 0) -> str:
    """What `to_yaml` writes for `key:` and the block list `items` under it, written one
    item at a time (one string per item, not a list of every line of the file)."""
    writer = _Writer()
    head = f"{'  ' * indent}{writer.scalar(key)}:"
    out = [head + "\n"]
    for item in items:
        lines: list[str] = []
        writer.emit((item,), indent + 1, lines)
        out.append("".join(lines))
    return "".join(out) if len(out) > 1 else f"{head} []\n"


def to_yaml(document: dict) -> str:
    out: list[str] = []
    _Writer().emit(document, 0, out)
    return "".join(out)
