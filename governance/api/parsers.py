"""A JSON parser that refuses bodies over the limit (413) before reading them whole, and
JSON nested too deep or holding a NUL character (400, naming the field)."""

import io

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.parsers import BaseParser, JSONParser

from governance import limits


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def max_body_bytes() -> int:
    return getattr(settings, "API_MAX_BODY_BYTES", 1024 * 1024)


class LimitedJSONParser(BaseParser):
    """Not a JSONParser subclass on purpose: DRF reads `request.body` whole for those, and
    Django then refuses an oversized body as a 400 instead of our 413."""

    media_type = "application/json"
    renderer_class = JSONParser.renderer_class
    strict = True

    def parse(self, stream, media_type=None, parser_context=None):
        limit = max_body_bytes()
        request = (parser_context or {}).get("request")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0) if request else 0
        except ValueError:
            declared = 0
        too_large = PayloadTooLarge(f"The request body is over {limit // 1024} KiB; send less.")
        if declared > limit:
            raise too_large
        # The declared length may be absent or wrong: read one byte more than allowed.
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise too_large
        try:
            data = JSONParser().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:  # the parser itself recursed too deep
            raise ParseError(f"The JSON body {limits.too_deep(limits.max_depth())}.") from None
        try:
            limits.check_value(data)
        except limits.BadInput as exc:
            if not exc.where:
                raise ParseError(f"The JSON body {exc.message}.") from None
            raise ValidationError({exc.where: [exc.message]}) from None
        return data
