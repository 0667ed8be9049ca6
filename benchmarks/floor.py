"""The floor of an answer: a trivial view behind the same middleware and authentication as
the real one (token authentication, throttles and permission for the API; the session and
sign-in check for a page), returning the same bytes from memory. What the real answer
costs beyond it is the portal's own work.

The bytes are the real answer's, written by the benchmark to BENCH_FLOOR_DIR/<key> before
it times anything, and read once per process."""

import os
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from rest_framework.views import APIView

_bytes: dict[str, bytes] = {}


def cached(key: str) -> bytes:
    if key not in _bytes:
        _bytes[key] = (Path(os.environ["BENCH_FLOOR_DIR"]) / key).read_bytes()
    return _bytes[key]


def _answer(request, key: str) -> HttpResponse:
    if request.GET.get("status") == "304":
        return HttpResponse(status=304, headers={"ETag": '"floor"'})
    return HttpResponse(cached(key), content_type=request.GET.get("type", "application/json"))


class ApiFloor(APIView):
    """Default authentication, permission (signed in) and throttles of the API."""

    def get(self, request, key):
        return _answer(request, key)

    def post(self, request, key):
        return _answer(request, key)


@login_required
def page_floor(request, key):
    return _answer(request, key)
