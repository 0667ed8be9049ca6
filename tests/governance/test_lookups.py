"""`any_of`: the same rows as `in`, on SQLite and on PostgreSQL (one array parameter)."""

from registry.models import Server
from tests.factories import ServerFactory


def test_any_of_finds_what_in_finds(db):
    servers = ServerFactory.create_batch(5)
    ids = [s.pk for s in servers[1:4]] + [10**9]
    assert (set(Server.objects.filter(pk__any_of=ids))
            == set(Server.objects.filter(pk__in=ids)) == set(servers[1:4]))
    assert list(Server.objects.filter(pk__any_of=[])) == []
    assert Server.objects.exclude(pk__any_of=ids).count() == 2
