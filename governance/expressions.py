"""Database expressions the apps share, written the same way on PostgreSQL and SQLite.

`Joined`: texts joined by a unit separator (U+001F), which no searched or exported column
holds: the review queue's search reads one trigram index over a table's columns joined
(approvals migration 0013), and the export seals an entry over its approval's values
joined. `Sha256Hex`: the SHA-256 of a text as 64 hex digits, by PostgreSQL's built-in
sha256 (Django's own SHA256 asks for pgcrypto there) and Django's function on SQLite."""

from django.db.models import CharField, Func, TextField, Value
from django.db.models.functions import SHA256, Cast, Coalesce

SEPARATOR = "\x1f"
NULL_MARK = "\x1e"  # a NULL among the values digested, unlike any text


class Joined(Func):
    template = "(%(expressions)s)"
    arg_joiner = f" || '{SEPARATOR}' || "
    output_field = TextField()


class Sha256Hex(SHA256):
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection,
            template="ENCODE(SHA256(CONVERT_TO(%(expressions)s, 'UTF8')), 'hex')",
            **extra_context)


def digest_of(*fields) -> Sha256Hex:
    """The SHA-256 of the fields' values as the database writes them as text, in order,
    a NULL marked apart from any text."""
    return Sha256Hex(Joined(*(Coalesce(Cast(field, TextField()), Value(NULL_MARK))
                              for field in fields)))
