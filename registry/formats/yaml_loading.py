"""Loading a YAML document safely: the nesting depth and the values that aliases expand to
are checked on the parser's events before anything is built.

PyYAML's C loader parses in C but builds every value in Python (its constructor, the
implicit resolvers' regular expressions for every plain scalar); a registry of 100,000
approvals is millions of values. `_lean_load` builds the document from the C parser's
events in the same pass that checks them, as SafeLoader would (the same resolvers and
constructors, each plain scalar resolved once), and leaves to the full loader any document
with what it does not handle itself: an explicit tag, a merge key (<<), a complex key,
more than one document, or anything PyYAML refuses."""

from __future__ import annotations

import yaml

from governance import limits

# libyaml's loader when PyYAML was built with it (it parses several times faster); the
# pure-Python one otherwise, and to word the problems of a file that does not parse.
FastSafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Values a document may expand to through aliases (&anchor ... *anchor): a few lines can
# otherwise stand for billions of values (the "billion laughs"), far beyond any registry.
# A large file may hold as many as its text can write out (every value takes a character
# of it at least): a 100,000-approval export holds about 2.5 million in 40 MB.
MAX_VALUES = 1_000_000


def value_cap(text: str) -> int:
    return max(MAX_VALUES, len(text))


def _shape_problem(text: str, loader, max_depth: int) -> str | None:
    """Walk the parser's events, which builds nothing and recurses nowhere, and say where
    the document nests deeper than `max_depth` or expands past MAX_VALUES; None if neither.
    The loaders recurse on depth (a RecursionError traceback in pure Python), so this runs
    before anything is loaded."""
    total, open_collections, sizes, cap = 0, [], {}, value_cap(text)
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
        if total > cap:
            return (f"line {event.start_mark.line + 1}: the document expands to more than "
                    f"{cap:,} values through its aliases (*anchor)")
    return None


class _Unusual(Exception):
    """A document the lean builder leaves to the full loader."""


_RESOLVER = yaml.resolver.Resolver()  # SafeLoader's implicit resolvers
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_MISSING = object()


def _plain(value: str, seen: dict):
    """A plain scalar as SafeLoader builds it (str, int, float, bool, None, date ...);
    the values are immutable, so each distinct text is resolved once."""
    built = seen.get(value, _MISSING)
    if built is _MISSING:
        tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
        if tag == _STR:
            built = value
        else:
            constructor = yaml.constructor.SafeConstructor.yaml_constructors.get(tag)
            if constructor is None:  # the merge key "<<", the value key "="
                raise _Unusual
            built = constructor(_CONSTRUCTOR, yaml.ScalarNode(tag, value))
        seen[value] = built
    return built


def _lean_load(text: str, max_depth: int):
    """(document, None) or (None, problem) as `_shape_problem` and SafeLoader would give
    them, in one pass over the C parser's events; raises _Unusual for what it leaves."""
    total, open_collections, sizes, cap = 0, [], {}, value_cap(text)
    anchors, seen, stack, documents = {}, {}, [], 0
    root = None
    pending_key = []  # per open mapping: the key waiting for its value, or _MISSING

    def add(value):
        nonlocal root
        if not stack:
            root = value
            return
        parent = stack[-1]
        if type(parent) is list:
            parent.append(value)
        elif pending_key[-1] is _MISSING:
            if type(value) is list or type(value) is dict:
                raise _Unusual  # a collection as a key (PyYAML refuses it)
            pending_key[-1] = value
        else:
            parent[pending_key[-1]] = value
            pending_key[-1] = _MISSING

    for event in yaml.parse(text, Loader=FastSafeLoader):
        kind = type(event)
        if kind is yaml.ScalarEvent:
            total += 1
            if event.tag not in (None, "!"):
                raise _Unusual
            value = _plain(event.value, seen) if event.implicit[0] else event.value
            if event.anchor is not None:
                if event.anchor in anchors:
                    raise _Unusual
                sizes[event.anchor] = 1
                anchors[event.anchor] = value
            add(value)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            total += 1
            open_collections.append((event.anchor, total))
            if len(open_collections) > max_depth:
                return None, (f"line {event.start_mark.line + 1}: the document "
                              f"{limits.too_deep(max_depth)}; a registry needs a handful")
            if event.tag not in (None, "!"):
                raise _Unusual
            value = {} if kind is yaml.MappingStartEvent else []
            if event.anchor is not None:
                if event.anchor in anchors:
                    raise _Unusual
                anchors[event.anchor] = value
            if stack and type(stack[-1]) is dict and pending_key[-1] is _MISSING:
                raise _Unusual  # a complex key
            add(value)
            stack.append(value)
            pending_key.append(_MISSING)
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            anchor, start = open_collections.pop()
            if anchor is not None:
                sizes[anchor] = total - start + 1
            stack.pop()
            pending_key.pop()
        elif kind is yaml.AliasEvent:
            if any(anchor == event.anchor for anchor, _ in open_collections):
                return None, (f"line {event.start_mark.line + 1}: *{event.anchor} refers to "
                              "a collection that contains it; a registry holds no recursive "
                              "values")
            total += sizes.get(event.anchor, 1)
            if event.anchor not in anchors:
                raise _Unusual  # PyYAML says what is wrong
            add(anchors[event.anchor])
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Unusual
        if total > cap:
            return None, (f"line {event.start_mark.line + 1}: the document expands to more "
                          f"than {cap:,} values through its aliases (*anchor)")
    return root, None


def load_yaml(text: str, max_depth: int):
    """(document, None) or (None, problem). The lean builder over the C parser first; the
    C loader for a document it leaves; on a syntax error the pure-Python one reads the
    file again, so that problems keep their wording."""
    if FastSafeLoader is not yaml.SafeLoader:
        try:
            return _lean_load(text, max_depth)
        except (_Unusual, yaml.YAMLError):
            pass
    try:
        problem = _shape_problem(text, FastSafeLoader, max_depth)
        return (None, problem) if problem else (yaml.load(text, Loader=FastSafeLoader), None)
    except yaml.YAMLError:
        if FastSafeLoader is yaml.SafeLoader:
            raise
    problem = _shape_problem(text, yaml.SafeLoader, max_depth)
    return (None, problem) if problem else (yaml.load(text, Loader=yaml.SafeLoader), None)
