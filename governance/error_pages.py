"""What an unexpected error looks like (handler500, with DEBUG off): never a traceback.

The database out of reach (OperationalError, InterfaceError, wherever it was raised: a view,
the session or token lookup, a middleware) answers 503 with Retry-After, since trying again
later is the right thing to do; anything else answers 500. Under /api/ the body is the API's
error shape, elsewhere a page. The page is rendered without the request, so no context
processor runs and nothing touches the database; should even that fail, a plain page is
sent."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader

from governance.middleware import is_api

RETRY_AFTER_SECONDS = 30
UNAVAILABLE = "The portal cannot reach its database just now. Try again in a minute."
BROKEN = ("Something went wrong on our side and it has been logged. Try again, and tell the "
          "platform team if it persists.")
TITLES = {500: "Server error", 503: "Temporarily unavailable"}


def database_unavailable(exc: BaseException | None) -> bool:
    """True when `exc`, or an exception it was raised from, says the database is out of
    reach (or refused the work for now: a lock or serialization timeout)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _page(status: int, message: str) -> str:
    try:
        return loader.get_template(f"{status}.html").render(
            {"message": message, "title": TITLES[status]})
    except Exception:  # a broken template or static manifest must not hide the answer
        return (f"<!doctype html><title>{TITLES[status]}</title><h1>{TITLES[status]}</h1>"
                f"<p>{message}</p>")


def server_error(request, *args, **kwargs):
    unavailable = database_unavailable(sys.exc_info()[1])
    status, message = (503, UNAVAILABLE) if unavailable else (500, BROKEN)
    if is_api(request):
        response = JsonResponse({"detail": message, "errors": {}}, status=status)
    else:
        response = HttpResponse(_page(status, message), status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
