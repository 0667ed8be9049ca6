"""Audit entries for set-based changes: a job that updates many rows in one statement writes
their audit entries in one statement too, since django-auditlog's signals see no row of a
queryset update."""

from auditlog.cid import get_cid
from auditlog.diff import (
    get_field_value,
    get_mask_function,
    model_instance_diff,
    track_field,
)
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import CharField, DateTimeField, F, IntegerField, JSONField, Value
from django.db.models.functions import Cast
from django.utils.encoding import smart_str

from . import chain


def bulk_audit(model, rows: list[tuple[int, str]], changes: dict, actor, now) -> None:
    """django-auditlog entries for rows changed by one set-based update."""
    content_type = ContentType.objects.get_for_model(model)
    text = "; ".join(f"{k}: {v[0]} → {v[1]}" for k, v in changes.items())
    entries = LogEntry.objects.bulk_create(
        [LogEntry(content_type=content_type, object_pk=str(pk), object_id=pk,
                  object_repr=repr_[:200], action=LogEntry.Action.UPDATE, changes=changes,
                  changes_text=text, actor=actor, timestamp=now)
         for pk, repr_ in rows],
        batch_size=500,
    )
    chain.append([chain.row_of(entry) for entry in entries])


def audit_set_update(queryset, *, changes: dict, repr_expression, actor, now) -> int:
    """An UPDATE audit entry for every row of `queryset` in one INSERT ... SELECT, so that a
    set-based change is audited in a constant number of queries however many rows it has."""
    content_type = ContentType.objects.get_for_model(queryset.model)
    text = "; ".join(f"{k}: {v[0]} → {v[1]}" for k, v in changes.items())
    columns = {
        "content_type_id": Value(content_type.pk, output_field=IntegerField()),
        "object_pk": Cast("pk", CharField()),
        "object_id": F("pk"),
        "object_repr": repr_expression,
        "action": Value(LogEntry.Action.UPDATE, output_field=IntegerField()),
        "changes_text": Value(text, output_field=CharField()),
        "changes": Value(changes, output_field=JSONField()),
        "actor_id": Value(actor.pk if actor else None, output_field=IntegerField()),
        "timestamp": Value(now, output_field=DateTimeField()),
    }
    aliases = {column: f"audit_{column}" for column in columns}
    select = queryset.order_by().annotate(
        **{aliases[c]: expression for c, expression in columns.items()}
    ).values_list(*aliases.values())
    sql, params = select.query.sql_with_params()
    quote = connection.ops.quote_name
    insert = (
        f"INSERT INTO {quote(LogEntry._meta.db_table)} "
        f"({', '.join(quote(c) for c in columns)}) "
        f"SELECT {', '.join(quote(a) for a in aliases.values())} FROM ({sql}) AS audit_rows "
        f"RETURNING {quote('id')}, {quote('object_pk')}, {quote('object_id')}, "
        f"{quote('object_repr')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(insert, params)
        written = cursor.fetchall()
    # The chain's rows from what was inserted: the constants as given, the rest as returned.
    same = {"content_type_id": content_type.pk, "action": LogEntry.Action.UPDATE,
            "changes_text": text, "changes": changes, "actor_id": actor.pk if actor else None,
            "timestamp": now}
    same.update({name: None for name in chain.FIELDS
                 if name not in same and name not in ("id", "object_pk", "object_id",
                                                      "object_repr")})
    chain.append([{"id": pk, "object_pk": object_pk, "object_id": object_id,
                   "object_repr": object_repr}
                  for pk, object_pk, object_id, object_repr in written], same=same)
    return len(written)


def audit_written(pairs, *, actor, now) -> int:
    """The entries django-auditlog's signals would have written for rows saved in bulk (its
    signals see no bulk_create or bulk_update): `pairs` of (the row before, None if it was
    created; the row as written), each diffed as auditlog diffs a save (masks included),
    written in one INSERT per thousand. A pair that changed nothing writes none."""
    entries, creations = [], {}
    for before, after in pairs:
        if before is None:
            model = after.__class__
            if model not in creations:
                creations[model] = _creation_diff(model)
            changes = creations[model](after)
        else:
            changes = model_instance_diff(before, after)
        if not changes:
            continue
        entries.append(LogEntry(
            content_type=ContentType.objects.get_for_model(after), object_pk=str(after.pk),
            object_id=after.pk, object_repr=smart_str(after),
            action=LogEntry.Action.CREATE if before is None else LogEntry.Action.UPDATE,
            changes=changes, actor=actor, timestamp=now, cid=get_cid()))
    LogEntry.objects.bulk_create(entries, batch_size=1000)
    chain.append([chain.row_of(entry) for entry in entries])
    return len(entries)


def _creation_diff(model):
    """`model_instance_diff(None, row)` for rows of `model`, with what it looks up for every
    row (the tracked fields, the mask, each field's value before) looked up once."""
    options = auditlog.get_model_fields(model)
    fields = [field for field in model._meta.get_fields() if track_field(field)
              and (not options["include_fields"] or field.name in options["include_fields"])
              and field.name not in options["exclude_fields"]]
    masked, mask = set(options["mask_fields"]), get_mask_function(options["mask_callable"])
    before = [(field.name, _value_of(field), old, smart_str(old), field.name in masked)
              for field in fields for old in [get_field_value(None, field)]]

    def diff(row) -> dict | None:
        changes = {}
        for name, value_of, old, old_text, is_masked in before:
            new = value_of(row)
            if old != new:
                changes[name] = ((mask(old_text), mask(smart_str(new))) if is_masked
                                 else (old_text, smart_str(new)))
        return changes or None

    return diff


def _value_of(field):
    """auditlog's `get_field_value(row, field)` for one field, with what it decides by
    the field's kind and the settings decided once, not at each row's each field (two
    thirds of an import's audit of its rows): a column's value as text; a foreign key's
    id; a date-time or JSON field, and any value it cannot read plainly, by auditlog
    itself (tests/registry/test_import_at_scale.py compares the entries with its diff)."""
    def by_auditlog(row):
        return get_field_value(row, field)

    if isinstance(field, DateTimeField | JSONField):
        return by_auditlog
    if (not settings.AUDITLOG_USE_FK_STRING_REPRESENTATION
            and (field.one_to_one or field.many_to_one) and hasattr(field, "rel_class")):
        attname, strings_only = field.get_attname(), True
    else:
        attname, strings_only = field.name, False

    def value(row):
        try:
            text = smart_str(getattr(row, attname), strings_only=strings_only)
        except (ObjectDoesNotExist, AttributeError):
            return by_auditlog(row)
        return text if type(text).__name__ != "__proxy__" else str(text)

    return value
