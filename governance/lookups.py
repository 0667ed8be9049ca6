"""`field__any_of=[...]`: membership in a list of values, written as one array parameter
on PostgreSQL (`= ANY(%s)`) and as IN elsewhere. A page of 500 ids as IN (%s, ...) is a
statement too long for psycopg's cache of parsed queries, parsed again at every call
(issue 10: about 2 ms a query of the servers list)."""

from django.db.models import Lookup


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [list(value)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if not values:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]
