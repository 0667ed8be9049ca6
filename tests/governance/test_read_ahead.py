"""A long read fetched a chunk ahead while its reader works (governance.read_ahead): the
same rows in the same order, an error of the read raised to the reader, and a reader that
stops early leaving its connection free for the next query."""

import pytest
from django.db import transaction

from governance.read_ahead import read_ahead
from registry.models import Server
from tests.factories import ServerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def servers():
    return [ServerFactory(name=f"server-{n:02d}").name for n in range(23)]


def names():
    return Server.objects.order_by("name").values_list("name", flat=True).iterator(
        chunk_size=5)


def test_the_rows_come_in_their_order_in_chunks(servers):
    with transaction.atomic():
        chunks = list(read_ahead(names(), 5))
    assert [len(chunk) for chunk in chunks] == [5, 5, 5, 5, 3]
    assert [name for chunk in chunks for name in chunk] == sorted(servers)


def test_a_read_shorter_than_a_chunk_is_one_chunk(servers):
    assert list(read_ahead(names(), 50)) == [sorted(servers)]


def test_an_empty_read_has_no_chunks():
    assert list(read_ahead(names(), 5)) == []


def test_a_reader_that_stops_early_can_query_at_once(servers):
    with transaction.atomic():
        reading = read_ahead(names(), 5)
        assert next(reading) == sorted(servers)[:5]
        reading.close()
        assert Server.objects.count() == 23


def test_an_error_of_the_read_reaches_the_reader(servers):
    def failing():
        yield from names()
        raise ValueError("the read broke")

    with transaction.atomic(), pytest.raises(ValueError, match="the read broke"):
        for _chunk in read_ahead(failing(), 5):
            pass
