"""A lock that keeps two runs of one job apart."""

import zlib

from django.db import connection, transaction


def job_lock(name: str) -> None:
    """Hold a lock named `name` until the current transaction ends, so that two runs of the
    same job (a retry beside a scheduled run) never work on the same rows at once. SQLite
    serialises writers by itself."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("job_lock needs a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(name.encode())])
