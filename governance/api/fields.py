"""Strict input: text fields refuse numbers and booleans, and a serializer refuses fields it
does not know, instead of silently coercing or dropping them."""

import datetime as dt

from django.utils import timezone
from rest_framework import serializers

from .errors import ErrorSerializer


class StrictCharField(serializers.CharField):
    default_error_messages = {"type": "must be a string, not {kind}"}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("type", kind=type(data).__name__)
        return super().to_internal_value(data)


class StrictChoiceField(serializers.ChoiceField):
    default_error_messages = {
        "invalid_choice": "unknown value '{input}': use one of {choices}",
        "type": "must be a string, not {kind}",
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("type", kind=type(data).__name__)
        if data not in self.choices:
            self.fail("invalid_choice", input=data, choices=", ".join(map(str, self.choices)))
        return data


class StrictSerializer(serializers.Serializer):
    """Refuses unknown fields with a message naming each of them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - {name for name, f in self.fields.items()
                                          if not f.read_only})
            if unknown:
                raise serializers.ValidationError(
                    {key: ["unknown field"] for key in unknown})
        return super().to_internal_value(data)


def error_responses(*codes):
    """drf-spectacular response entries for the error codes an endpoint can answer."""
    return {code: ErrorSerializer for code in codes}


def datetime_writer():
    """A function writing an aware datetime (or None) as DRF's DateTimeField does, in the
    current time zone with "Z" for UTC, without its per-value settings look-ups: for the
    lists that write hundreds of rows as plain dicts."""
    zone = timezone.get_current_timezone()

    def write(value):
        if value is None:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write


def datetime_text_writer():
    """datetime_writer's output for a datetime the database hands over as text (cast to a
    string in the query: PostgreSQL's "2026-01-02 03:04:05.6+00", SQLite's UTC text):
    psycopg's Python loader of timestamptz and the time zone conversion cost three times
    the rest of the servers list's pending requests (issue 10). In UTC, the text is
    rewritten as it is; in another zone, parsed and converted."""
    write = datetime_writer()
    in_utc = timezone.get_current_timezone_name() == "UTC"

    def write_text(text):
        if text is None:
            return None
        if in_utc and len(text) >= 19 and text[10] == " " and (
                len(text) == 19 or text[19] in ".+"):
            clock, _, offset = text[11:].partition("+")
            if offset in ("", "00"):
                whole, _, fraction = clock.partition(".")
                fraction = fraction.rstrip("0")
                return (f"{text[:10]}T{whole}.{fraction.ljust(6, '0')}Z" if fraction
                        else f"{text[:10]}T{whole}Z")
        value = dt.datetime.fromisoformat(text)
        return write(value if value.tzinfo else value.replace(tzinfo=dt.UTC))

    return write_text
