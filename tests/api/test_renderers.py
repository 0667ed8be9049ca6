"""The lists' orjson renderer writes the bytes DRF's JSONRenderer writes."""

import datetime as dt
import decimal
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from governance.api.renderers import FastJSONRenderer

CASES = [
    {"id": 1, "name": "github", "pending_requests": [], "denial": None, "ok": True},
    [{"config": {"command": "npx", "args": ["-y", "@x/y@1.2.3"], "env": {}}}] * 3,
    {"text": "naïve café — 日本", "separators": "line\u2028para\u2029end"},
    {"when": dt.datetime(2026, 11, 26, 14, 10, 7, 774123, tzinfo=dt.UTC),
     "day": dt.date(2026, 1, 2), "at": dt.time(9, 30), "span": dt.timedelta(hours=1)},
    {"price": decimal.Decimal("1.50"), "uuid": uuid.UUID(int=7), "lazy": gettext_lazy("Yes"),
     "big": 2**70, "float": 0.1, "set": {3}},
]


@pytest.mark.parametrize("data", CASES)
def test_same_bytes_as_drf(data):
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_indented_for_whoever_asks_as_drf_does():
    data = {"a": [1, {"b": None}]}
    media = "application/json; indent=4"
    assert FastJSONRenderer().render(data, media) == JSONRenderer().render(data, media)
    assert b"\n    " in FastJSONRenderer().render(data, media)


def test_nothing_is_an_empty_body():
    assert FastJSONRenderer().render(None) == b""
