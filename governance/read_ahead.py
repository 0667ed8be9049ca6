"""A long read that the database sends while the reader works: the export's pass over every
active approval waited on PostgreSQL for a fifth of its time (100,000 rows, a chunk at a
time from a server-side cursor), time in which the reader's own work could go on (issue 10).

`read_ahead` runs the query in the caller's thread (its connection, its transaction), then
has one thread fetch the next chunk while the caller works on the one it has. While psycopg
waits on the server it releases the GIL, so the wait and the work overlap; they never use
the connection at once, as the caller makes no other query until the read is done (the
contract of its callers). SQLite reads from memory or a local file, and has nothing to
overlap: there the chunks are read in turn."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from itertools import islice

from django.db import DEFAULT_DB_ALIAS, connections

_DONE = object()


def read_ahead(rows: Iterator, chunk: int, *, using: str = DEFAULT_DB_ALIAS,
               depth: int = 2) -> Iterator[list]:
    """`rows` (a query set's `iterator()`) in lists of `chunk` rows, up to `depth` of them
    read ahead. The caller must not query `using` until it has taken the last list (or
    dropped this generator, which stops the thread and closes the read)."""
    first = list(islice(rows, chunk))  # the query runs here, in the caller's connection
    if len(first) < chunk or connections[using].vendor != "postgresql":
        if first:
            yield first
        yield from iter(lambda: list(islice(rows, chunk)), [])
        return
    ahead: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def fetch():
        try:
            while not stop.is_set():
                part = list(islice(rows, chunk))
                ahead.put(part or _DONE)
                if not part:
                    return
        except BaseException as error:  # handed to the caller, raised there
            ahead.put(error)

    thread = threading.Thread(target=fetch, name="read-ahead", daemon=True)
    thread.start()
    try:
        yield first
        while (part := ahead.get()) is not _DONE:
            if isinstance(part, BaseException):
                raise part
            yield part
    finally:
        stop.set()
        while thread.is_alive():  # let a fetch blocked on a full queue finish
            with contextlib.suppress(queue.Empty):
                ahead.get(timeout=0.01)
        thread.join()
        if hasattr(rows, "close"):
            rows.close()  # the server-side cursor, when the reader stopped early
