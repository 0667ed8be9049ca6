"""Loading a YAML document safely: the nesting depth and the values that aliases expand to
are checked on the parser's events before anything is built."""

from __future__ import annotations

import yaml

from governance import limits

# libyaml's loader when PyYAML was built with it (it parses several times faster); the
# pure-Python one otherwise, and to word the problems of a file that does not parse.
FastSafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Values a document may expand to through aliases (&anchor ... *anchor): a few lines can
# otherwise stand for billions of values (the "billion laughs"), far beyond any registry.
MAX_VALUES = 1_000_000


def _shape_problem(text: str, loader, max_depth: int) -> str | None:
    """Walk the parser's events, which builds nothing and recurses nowhere, and say where
    the document nests deeper than `max_depth` or expands past MAX_VALUES; None if neither.
    The loaders recurse on depth (a RecursionError traceback in pure Python), so this runs
    before anything is loaded."""
    total, open_collections, sizes = 0, [], {}
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            total += 1
            open_collections.append((event.anchor, total))
            if len(open_collections) > max_depth:
                return (f"line {event.start_mark.line + 1}: the document "
                        f"{limits.too_deep(max_depth)}; a registry needs a handful")
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, start = open_collections.pop()
            if anchor is not None:
                sizes[anchor] = total - start + 1
        elif isinstance(event, yaml.ScalarEvent):
            total += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for anchor, _ in open_collections):
                return (f"line {event.start_mark.line + 1}: *{event.anchor} refers to a "
                        "collection that contains it; a registry holds no recursive values")
            total += sizes.get(event.anchor, 1)
        if total > MAX_VALUES:
            return (f"line {event.start_mark.line + 1}: the document expands to more than "
                    f"{MAX_VALUES:,} values through its aliases (*anchor)")
    return None


def load_yaml(text: str, max_depth: int):
    """(document, None) or (None, problem). Fast loader first; on a syntax error the
    pure-Python one reads the file again, so that problems keep their wording."""
    try:
        problem = _shape_problem(text, FastSafeLoader, max_depth)
        return (None, problem) if problem else (yaml.load(text, Loader=FastSafeLoader), None)
    except yaml.YAMLError:
        if FastSafeLoader is yaml.SafeLoader:
            raise
    problem = _shape_problem(text, yaml.SafeLoader, max_depth)
    return (None, problem) if problem else (yaml.load(text, Loader=yaml.SafeLoader), None)
