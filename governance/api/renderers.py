"""DRF's JSON renderer, written by orjson for the lists of 500 rows: json.dumps alone cost
about three times the floor of the servers list (issue 10). The bytes are those of
JSONRenderer (compact, UTF-8, U+2028 and U+2029 escaped); anything orjson does not write
as DRF does (datetimes, Decimals, lazy strings, big integers, indented output for the
browsable API) goes through DRF's own encoder."""

import orjson
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_drf_default = JSONEncoder().default
# DRF's encoder writes datetimes its own way (milliseconds, "Z"): they go through it.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


class FastJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if (not self.compact or self.ensure_ascii
                or self.get_indent(accepted_media_type, renderer_context or {}) is not None):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            ret = orjson.dumps(data, default=_drf_default, option=_OPTIONS)
        except TypeError:  # orjson.JSONEncodeError: a type or size only DRF's encoder takes
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80\xa8" in ret or b"\xe2\x80\xa9" in ret:
            ret = ret.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return ret


# The renderers of a list view that answers through FastJSONRenderer: the defaults' order.
LIST_RENDERERS = [FastJSONRenderer, BrowsableAPIRenderer]
