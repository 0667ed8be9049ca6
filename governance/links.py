"""The portal's own address, for links people open from a mail, the chat, the hook or the
token page. It is PORTAL_BASE_URL; only in development (DEBUG on and PORTAL_BASE_URL unset)
is it the address of the HTTP request being served, so that a portal reached at another
address than 127.0.0.1:8000 still links to itself. Jobs and workers, which serve no request,
always use PORTAL_BASE_URL."""

from __future__ import annotations

import contextvars

from django.conf import settings

_request_base: contextvars.ContextVar[str] = contextvars.ContextVar("request_base",
                                                                     default="")


def base_url() -> str:
    if settings.PORTAL_BASE_URL_FROM_HOST:
        return _request_base.get() or settings.PORTAL_BASE_URL
    return settings.PORTAL_BASE_URL


def absolute(path: str) -> str:
    """`path` (from reverse()) as a full address; anything not a path is left as it is."""
    return f"{base_url()}{path}" if path.startswith("/") else path


class RequestBaseUrlMiddleware:
    """In development only, remember the address this request came to (its Host is one of
    ALLOWED_HOSTS: Django's get_host() refuses any other) for the links made meanwhile."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PORTAL_BASE_URL_FROM_HOST:
            return self.get_response(request)
        token = _request_base.set(request.build_absolute_uri("/").rstrip("/"))
        try:
            return self.get_response(request)
        finally:
            _request_base.reset(token)
