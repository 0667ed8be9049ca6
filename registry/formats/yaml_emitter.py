"""A YAML writer for plain data (dicts, lists, scalars) that PyYAML reads back unchanged."""

from __future__ import annotations

import datetime as dt
import json
import operator
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


_json_string = json.encoder.encode_basestring  # json.dumps(text, ensure_ascii=False), in C


def _quoted(text: str) -> str:
    return _NON_PRINTABLE.sub(_yaml_escape, _json_string(text))


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


# The writer remembers how it wrote each string and date (they repeat across thousands of
# entries); past this many it starts afresh, so that a registry of any size is written in
# bounded memory.
_CACHE_MAX = 50_000


class _Writer:
    """Writes plain data as block YAML; each distinct scalar is written once per document
    (dates, scopes, approvers, commands and keys repeat across thousands of entries)."""

    def __init__(self):
        self.strings: dict[str, str] = {}
        self.tails: dict[int, dict] = {}
        self.heads: dict[tuple, tuple[str, ...]] = {}

    def scalar(self, value) -> str:
        if value.__class__ is not str:  # 1, 1.0 and True are one key: only strings cached
            return _scalar(value)
        text = self.strings.get(value)
        if text is None:
            if len(self.strings) >= _CACHE_MAX:
                self.strings.clear()
            text = self.strings[value] = _scalar(value)
        return text

    def tail(self, item, indent: int) -> str:
        """What follows `key:` when `item` is the value of a key at `indent`: the scalar
        and a line break, or the block under the key."""
        cls = item.__class__
        if cls is not str and cls is not dt.date:
            return self._tail(item, indent)
        cache = self.tails.get(indent)
        if cache is None:
            cache = self.tails[indent] = {}
        text = cache.get(item)
        if text is None:
            if len(cache) >= _CACHE_MAX:
                cache.clear()
            text = cache[item] = self._tail(item, indent)
        return text

    def _tail(self, item, indent: int) -> str:
        if isinstance(item, dict | list):
            if not item:
                return " {}\n" if isinstance(item, dict) else " []\n"
            lines = ["\n"]
            self.emit(item, indent + 1, lines)
            return "".join(lines)
        if isinstance(item, str) and "\n" in item and _block_text(item):
            pad = "  " * indent
            return "".join((f" |{'' if item.endswith(chr(10)) else '-'}\n", *(
                f"{pad}  {line}\n" if line else "\n" for line in item.rstrip("\n").split("\n"))))
        return f" {self.scalar(item)}\n"

    def item(self, item, indent: int) -> str:
        """One item of a block list at `indent`, as `emit` writes it in the list."""
        parts: list[str] = []
        self.emit((item,), indent, parts)
        return "".join(parts)

    def _mapping(self, value: dict, indent: int, out: list[str]) -> None:
        """`emit` of a mapping: each key's text (`pad` and `key:`) is made once per shape
        of mapping (the same keys in the same order: every entry of a registry), each
        string's and date's `tail` once while the cache holds."""
        keys = tuple(value)
        heads = self.heads.get((keys, indent))
        if heads is None:
            if len(self.heads) >= _CACHE_MAX:
                self.heads.clear()
            pad = "  " * indent
            heads = self.heads[(keys, indent)] = tuple(
                f"{pad}{self.scalar(key)}:" for key in keys)
        cache = self.tails.get(indent)
        if cache is None:
            cache = self.tails[indent] = {}
        get = cache.get
        texts = [get(item) if item.__class__ is str else None for item in value.values()]
        if None in texts:  # a value written first here, a date, a mapping or a list
            for at, item in enumerate(value.values()):
                if texts[at] is None:
                    texts[at] = self._text(item, indent, cache)
        out.extend(map(operator.add, heads, texts))

    def _text(self, item, indent: int, cache: dict) -> str:
        if item.__class__ is str and "\n" not in item:  # most strings: one line
            if len(cache) >= _CACHE_MAX:
                cache.clear()
            text = cache[item] = f" {self.strings.get(item) or self.scalar(item)}\n"
            return text
        return self.tail(item, indent)

    def emit(self, value, indent: int, out: list[str]) -> None:
        if isinstance(value, dict):
            self._mapping(value, indent, out)
            return
        pad = "  " * indent
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


class ListWriter:
    """What `to_yaml` writes for `key:` and a block list under it, written one item at a
    time as the items come (a registry's entries are read in chunks, never all held):
    `add` each item, then `text()`."""

    _BATCH = 1000

    def __init__(self, key: str, indent: int = 0):
        self._writer, self._indent = _Writer(), indent + 1
        self._head = f"{'  ' * indent}{self._writer.scalar(key)}:"
        self._chunks: list[str] = []
        self._batch: list[str] = []

    def add(self, item) -> str:
        """Write `item`; its text is returned (to be kept, and given to `add_text`)."""
        text = self._writer.item(item, self._indent)
        self.add_text(text)
        return text

    def add_text(self, text: str) -> None:
        """An item as `add` wrote it before, with the same key and indent."""
        self._batch.append(text)
        if len(self._batch) >= self._BATCH:
            self._chunks.append("".join(self._batch))
            self._batch.clear()

    def text(self) -> str:
        if not self._chunks and not self._batch:
            return f"{self._head} []\n"
        return "".join((self._head, "\n", *self._chunks, *self._batch))


def list_of_mappings(key: str, items, indent: int = 0) -> str:
    """What `to_yaml` writes for `key:` and the block list `items` under it, written one
    item at a time (one string per item, not a list of every line of the file)."""
    writer = ListWriter(key, indent)
    for item in items:
        writer.add(item)
    return writer.text()


def to_yaml(document: dict) -> str:
    out: list[str] = []
    _Writer().emit(document, 0, out)
    return "".join(out)
