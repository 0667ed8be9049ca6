"""Limits on what a body or a file may hold, so that bad input gets an answer and never a
500: nesting deeper than INPUT_MAX_DEPTH (Python's parsers recurse, and a RecursionError is
a traceback), and the NUL character, which PostgreSQL refuses in text and in jsonb.

One walk for every entry point: the API's JSON parser, the config pasted as JSON on the
request pages, and the registry importer's YAML (which checks its depth from the parser's
events, before anything is built)."""

from __future__ import annotations

import json

from django.conf import settings

NUL = "\x00"
NUL_RULE = "contains a NUL character (\\u0000), which no text may hold"


def max_depth() -> int:
    return int(getattr(settings, "INPUT_MAX_DEPTH", 32))


def too_deep(limit: int) -> str:
    return f"is nested deeper than {limit} levels (INPUT_MAX_DEPTH)"


class BadInput(ValueError):
    """`where` (a path such as config.env.TOKEN, or "" for the whole value) breaks a rule."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message


def _child(path: str, key) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def value_problems(value, *, limit: int | None = None):
    """Yield (where, message) for each container nested deeper than `limit` (the top level
    is depth 1; the deep part is not walked further) and each text, key or value, holding a
    NUL. Iterative: a deep value cannot exhaust the stack."""
    limit = max_depth() if limit is None else limit
    stack = [(value, "", 1)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                yield path, NUL_RULE
            continue
        if isinstance(item, dict):
            children = list(item.items())
        elif isinstance(item, list | tuple):
            children = list(enumerate(item))
        else:
            continue
        if depth > limit:
            # Name the top-level field only: the full path of a deep value is a long chain.
            yield path.split(".")[0].split("[")[0], too_deep(limit)
            continue
        for key, _ in children:
            if isinstance(key, str) and NUL in key:
                yield path, f"a key {NUL_RULE}"
        for key, child in reversed(children):  # reversed: problems come in reading order
            stack.append((child, _child(path, key), depth + 1))


def check_value(value, *, limit: int | None = None) -> None:
    """Raise BadInput for the first of value_problems."""
    for where, message in value_problems(value, limit=limit):
        raise BadInput(where, message)


def loads_json(text: str | bytes, *, limit: int | None = None, **kwargs):
    """json.loads, then check_value; a value too deep for the parser itself is refused the
    same way. Raises json.JSONDecodeError for invalid JSON, BadInput for the limits."""
    limit = max_depth() if limit is None else limit
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise BadInput("", too_deep(limit)) from None
    check_value(value, limit=limit)
    return value
