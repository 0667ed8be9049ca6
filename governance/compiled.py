"""A read the hottest answers make on every call, compiled to SQL once per database
connection and run again as it is: building and compiling the ORM query cost three times
the round trip of the one-row read behind every 304 of the export files (issue 10), and
about twice the round trip of each small read of every page (the reader's roles, their
unread notices, the review queue's sign-offs). The rows come back as the query set's
values_list would give them (the fields' converters).

A read may take parameters: `build` is called once per shape of the call with marker
numbers in their place (a list for a list: `pk__in`), and each call's values replace the
markers in the compiled parameters. A parameter is an integer (an id) or a list of them,
or a text; `count()` answers how many rows the query set has.

A text's marker is a word of private-use characters, which no escaping changes: Django puts
it in a parameter as it is (`exact`), or inside a LIKE pattern (`contains`, `icontains`,
`startswith`...: `%marker%`). A call's text takes its place the same way: as it is where
the parameter is the marker, escaped as Django escapes a LIKE operand where the marker is
within a pattern (`connection.ops.prep_for_like_query`), so `%` and `_` in the text are
matched as themselves. Only these lookups may take a text (not `iexact`, which SQLite
compiles as a LIKE whose whole operand is the value)."""

import contextlib
import itertools
from collections.abc import Callable

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.models import QuerySet

# Markers stand for the parameters in the compiled SQL: numbers that no id ever is (below
# zero), yet within a 32-bit integer column's range: Django compiles a lookup of an
# integer out of its column's range (auth_user.id is 32-bit) as matching nothing.
_MARK = -(2**30)
_EMPTY = object()  # a query set that has no rows whatever the data (`pk__in=[]`)
# Each read's own key in a connection's compiled reads (never id(): a read made for one
# policy and dropped could leave its id to the next one's).
_keys = itertools.count()


def _cursor(connection):
    """A cursor of `connection` that binds the parameters on the server (`bound_on_server`),
    so that psycopg prepares a statement once it has run prepare_threshold times (5) on the
    connection and PostgreSQL plans it once per connection instead of at every call: the
    planning of the count of what waits on a reader cost more than running it. Only these
    reads, whose SQL is fixed and whose parameters are ids, texts, dates and the ORM's
    constants, and the writes of large values bind on the server; the rest of the portal
    keeps Django's client-side default."""
    with bound_on_server(connection.alias):
        return connection.cursor()


@contextlib.contextmanager
def bound_on_server(using: str = DEFAULT_DB_ALIAS):
    """Within it, the cursors Django makes on `using` bind their parameters on the server
    (Django's own ServerBindingCursor, with its time zone and error handling; on PostgreSQL,
    elsewhere nothing changes): for the compiled reads (`_cursor`), and for a write of
    large values, which client-side binding would quote into the SQL text for the server to
    parse back (a snapshot of the export files at 100,000 approvals: 66 MB, three times the
    cost of sending them as parameters)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    factory, raw.cursor_factory = raw.cursor_factory, ServerBindingCursor
    try:
        yield
    finally:
        raw.cursor_factory = factory


def _marker(position: int, index: int = -1) -> int:
    return _MARK - 10_000 * position - (index + 1)


def _text_marker(position: int) -> str:
    return f"\ue000{position}\ue001"


def _shape(arg):
    if isinstance(arg, str):
        return str
    return len(arg) if isinstance(arg, list | tuple) else None


def _put_text(param: str, marker: str, text: str, connection) -> str:
    if param == marker:
        return text
    if marker in param:  # a LIKE pattern around the marker
        return param.replace(marker, connection.ops.prep_for_like_query(text))
    return param


def _union(parts: tuple[QuerySet, ...], using: str):
    """Several query sets read in one statement: each part's rows led by the part's index
    (UNION ALL of each part as a derived table, so that each keeps its own LIMIT). The
    values come as the database gives them, without the fields' converters: for ids."""
    selects, params = [], []
    for index, part in enumerate(parts):
        try:
            sql, part_params = part.query.get_compiler(using=using).as_sql()
        except EmptyResultSet:
            continue
        selects.append(f"SELECT {index} AS part, * FROM ({sql}) part_{index}")
        params.extend(part_params)
    if not selects:
        return _EMPTY
    return " UNION ALL ".join(selects), params, None, None


class CompiledRead:
    def __init__(self, build: Callable[..., QuerySet | tuple[QuerySet, ...]]):
        """`build` returns the query set (a values_list whose only parameters that change
        from one call to the next are its arguments), or a tuple of them read in one
        statement (`_union`); called once per connection and shape of the arguments,
        after the apps are ready."""
        self.build = build
        self.key = next(_keys)

    def _compiled(self, using: str, args: tuple, count: bool):
        connection = connections[using]
        compiled = connection.__dict__.setdefault("_compiled_reads", {})
        shape = tuple(map(_shape, args))
        key = (self.key, shape, count)
        entry = compiled.get(key)
        if entry is None:
            markers = [_marker(i) if n is None else _text_marker(i) if n is str
                       else [_marker(i, j) for j in range(n)] for i, n in enumerate(shape)]
            query = self.build(*markers)
            if isinstance(query, tuple):
                if count:
                    raise TypeError("a read of several parts has rows, not a count")
                entry = compiled[key] = _union(query, using)
            else:
                if count:
                    query = query.order_by().values("pk")
                compiler = query.query.get_compiler(using=using)
                try:
                    sql, params = compiler.as_sql()
                except EmptyResultSet:
                    entry = compiled[key] = _EMPTY
                else:
                    if count:
                        sql, converters = f"SELECT COUNT(*) FROM ({sql}) counted", None
                    else:
                        converters = compiler.get_converters(
                            [col for col, _, _ in compiler.select])
                    entry = compiled[key] = (sql, params, compiler, converters)
        if entry is _EMPTY or not args:
            return entry
        values, texts = {}, []
        for i, arg in enumerate(args):
            if isinstance(arg, str):
                texts.append((_text_marker(i), arg))
            elif isinstance(arg, list | tuple):
                values.update((_marker(i, j), value) for j, value in enumerate(arg))
            else:
                values[_marker(i)] = arg
        sql, params, compiler, converters = entry
        params = [values.get(p, p) if type(p) is int else p for p in params]
        for marker, text in texts:
            params = [_put_text(p, marker, text, connection) if type(p) is str else p
                      for p in params]
        return sql, params, compiler, converters

    def rows(self, *args, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
        entry = self._compiled(using, args, count=False)
        if entry is _EMPTY:
            return []
        sql, params, compiler, converters = entry
        with _cursor(connections[using]) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = compiler.apply_converters(rows, converters)
        return [tuple(row) for row in rows]

    def count(self, *args, using: str = DEFAULT_DB_ALIAS) -> int:
        entry = self._compiled(using, args, count=True)
        if entry is _EMPTY:
            return 0
        sql, params, _, _ = entry
        with _cursor(connections[using]) as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]
