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


def _emit(value, indent: int, out: list[str]) -> None:
    pad = "  " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{pad}{_scalar(key)}:"
            if isinstance(item, dict | list) and item:
                out.append(head + "\n")
                _emit(item, indent + 1, out)
            elif isinstance(item, str) and _block_text(item):
                out.append(f"{head} |{'' if item.endswith(chr(10)) else '-'}\n")
                out.extend(f"{pad}  {line}\n" if line else "\n"
                           for line in item.rstrip("\n").split("\n"))
            else:
                out.append(f"{head} {_inline(item)}\n")
        return
    for item in value:
        if isinstance(item, dict | list) and item:
            lines: list[str] = []
            _emit(item, indent + 1, lines)
            out.append(f"{pad}- {lines[0].lstrip()}")
            out.extend(lines[1:])
        else:
            out.append(f"{pad}- {_inline(item)}\n")


def _inline(value) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


def to_yaml(document: dict) -> str:
    out: list[str] = []
    _emit(document, 0, out)
    return "".join(out)
