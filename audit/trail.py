"""The audit trail as people read it: users by name (not "reviewer: None -> 4"), a create
with the fields it set (not "36 fields set"), whole values (configs are masked when written,
audit.registration, so no secret is here), and one object's trail merged with the entries of
the objects that belong to it (a request's sign-offs, comments and events)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q

EMPTY = (None, "None", "", "[]", "{}", "null")
# Fields a create sets on every row; they say nothing to a reader.
NOISE = {"id", "created_at", "updated_at"}

# parent model -> [(child model, its foreign key to the parent)], registered by the apps.
_PARTS: dict[type, list[tuple[type, str]]] = defaultdict(list)


def register_parts(parent, *children, via: str) -> None:
    """The entries of `children` whose `via` points at a `parent` belong to its trail."""
    for child in children:
        if (child, via) not in _PARTS[parent]:
            _PARTS[parent].append((child, via))


def with_parts(entries, content_type: ContentType, pk: str):
    """`entries` of the object and of every registered part of it, as one trail."""
    parent = content_type.model_class()
    wanted = Q(content_type=content_type, object_pk=pk)
    for child, via in _PARTS.get(parent, []):
        pks = [str(p) for p in child.objects.filter(**{f"{via}_id": pk}).values_list(
            "pk", flat=True)]
        if pks:
            wanted |= Q(content_type=ContentType.objects.get_for_model(child),
                        object_pk__in=pks)
    return entries.filter(wanted)


def person(user) -> str:
    """How a user is shown: their name, and the username that tells them apart."""
    if user is None:
        return "system"
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


@dataclass
class Change:
    field: str
    before: str
    after: str
    long: bool = False  # shown as a block (a config, a long text) instead of inline


@dataclass
class Row:
    entry: LogEntry
    actor: str
    changes: list[Change] = field(default_factory=list)


def _readable(value) -> str:
    """A whole value; JSON (a config) laid out over lines."""
    text = "" if value in EMPTY else str(value)
    if text[:1] in "{[":
        try:
            return json.dumps(json.loads(text), indent=2, sort_keys=True)
        except ValueError:
            return text
    return text


def _relation(model, name):
    try:
        related = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return related.related_model if related.is_relation and related.many_to_one else None


def _reverse(model, name) -> bool:
    """A reverse relation (a request's `signoffs`): a create records it as "x.None"."""
    try:
        return model is not None and not model._meta.get_field(name).concrete
    except FieldDoesNotExist:
        return False


def present(entries) -> list[Row]:
    """Rows for `entries` (one page): related rows (users above all) are read in one query
    per model, so the page costs the same however many entries it shows."""
    entries = list(entries)
    wanted: dict[type, set[str]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class()
        for name, values in (entry.changes_dict or {}).items():
            target = _relation(model, name) if model else None
            if target is not None and isinstance(values, list):
                wanted[target].update(v for v in values if v not in EMPTY)
    names: dict[tuple[type, str], str] = {}
    user_model = get_user_model()
    for target, pks in wanted.items():
        for obj in target._default_manager.filter(pk__in=list(pks)):
            names[target, str(obj.pk)] = person(obj) if target is user_model else str(obj)
    rows = []
    for entry in entries:
        model = entry.content_type.model_class()
        row = Row(entry=entry, actor=person(entry.actor))
        for name, values in (entry.changes_dict or {}).items():
            if isinstance(values, dict):  # many-to-many: {"operation": ..., "objects": [...]}
                row.changes.append(Change(name, "", f"{values.get('operation', 'changed')}: "
                                          + ", ".join(map(str, values.get("objects", [])))))
                continue
            before, after = values
            if entry.action == LogEntry.Action.CREATE and (
                    name in NOISE or after in EMPTY or after == "False"
                    or _reverse(model, name)):
                continue
            target = _relation(model, name) if model else None
            if target is not None:
                before = names.get((target, str(before)), before)
                after = names.get((target, str(after)), after)
            before, after = _readable(before), _readable(after)
            row.changes.append(Change(name, before, after,
                                      long="\n" in before + after or len(before + after) > 80))
        rows.append(row)
    return rows
