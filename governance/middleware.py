"""Refusals that belong to no single view, and the compression of pages.

A NUL character in the address (`/servers/%00/`, `?server=%00`) answers 400 before any view
runs: PostgreSQL refuses NUL in text ("A string literal cannot contain NUL (0x00)
characters"), so a lookup by that value would end in a 500. Bodies are checked where they
are read: form fields refuse NUL (Django's CharField), and the API's JSON parser refuses it
anywhere in the body, naming the field (governance.limits). The MCP Registry API (/v0.1/)
says the same in its own error form, by a middleware of its own listed before this one."""

from __future__ import annotations

from django.http import JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render

from governance.limits import NUL, NUL_RULE


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def is_scim(request) -> bool:
    return request.path_info.startswith("/scim/")


# RFC 7644 §3.12: the identity provider's SCIM client reads errors in this shape only.
SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


def _shown(text: str) -> str:
    return text.replace(NUL, "\\u0000")


def nul_problems(request) -> dict[str, list[str]] | None:
    """None when the path and the query are clean; else {parameter: [message]} ("" for the
    path itself)."""
    if NUL in request.path_info:
        return {"": [f"the address {NUL_RULE}"]}
    problems = {}
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            problems[_shown(key)] = [f"the parameter {NUL_RULE}"]
    return problems or None


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problems = nul_problems(request)
        if problems is None:
            return self.get_response(request)
        detail = "The address contains a NUL character (%00); nothing was looked up."
        if is_api(request):
            errors = {key: messages for key, messages in problems.items() if key}
            return JsonResponse({"detail": detail, "errors": errors}, status=400)
        named = [key for key in problems if key]
        if named:
            detail = (f"The parameter {', '.join(named)} contains a NUL character (%00); "
                      "nothing was looked up.")
        if is_scim(request):
            return JsonResponse({"schemas": [SCIM_ERROR_SCHEMA], "status": "400",
                                 "scimType": "invalidValue", "detail": detail}, status=400,
                                content_type="application/scim+json")
        return render(request, "400.html", {"exception": detail}, status=400)


class GZipPagesMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (with its BREACH mitigation of random padding, and CSRF tokens
    masked per response) for HTML pages only: the API's files and answers choose their own
    encoding, and stored bytes are not compressed again on every download."""

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
