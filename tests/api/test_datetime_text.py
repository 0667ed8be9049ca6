"""A datetime read as the database's text is written as DRF's DateTimeField writes it."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.fields import DateTimeField

from governance.api.fields import datetime_text_writer

VALUES = [dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
          dt.datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=dt.UTC),
          dt.datetime(2026, 1, 2, 3, 4, 5, 120, tzinfo=dt.UTC),
          dt.datetime(2026, 7, 2, 23, 4, 5, 123456, tzinfo=dt.UTC)]


def as_postgresql(value):  # the text of a timestamptz in a session in UTC
    fraction = f"{value.microsecond:06d}".rstrip("0")
    return f"{value:%Y-%m-%d %H:%M:%S}{'.' + fraction if fraction else ''}+00"


def as_sqlite(value):  # Django keeps a datetime as its naive UTC text there
    return str(value.replace(tzinfo=None))


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/New_York"])
@pytest.mark.parametrize("value", VALUES)
def test_written_as_drf_writes_the_datetime(zone, value):
    with timezone.override(zone):
        expected = DateTimeField().to_representation(value)
        write = datetime_text_writer()
        assert write(as_postgresql(value)) == write(as_sqlite(value)) == expected
        assert write(None) is None
