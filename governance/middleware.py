"""Refusals that belong to no single view, and the compression of pages.

A NUL character in the address (`/servers/%00/`, `?server=%00`) answers 400 before any view
runs: PostgreSQL refuses NUL in text ("A string literal cannot contain NUL (0x00)
characters"), so a lookup by that value would end in a 500. Bodies are checked where they
are read: form fields refuse NUL (Django's CharField), and the API's JSON parser refuses it
anywhere in the body, naming the field (governance.limits). An API that answers errors in a
form of its own (SCIM, the MCP Registry API) names, in NUL_REFUSAL_ANSWERS, the function
that says it in that form; this middleware is the one place that looks."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.http import JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.utils.module_loading import import_string

from governance.limits import NUL, NUL_RULE


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


@cache
def _answer(dotted: str):
    return import_string(dotted)


def _own_answer(request):
    """The refusal function of the API this address belongs to, if it has its own form."""
    for prefix, dotted in settings.NUL_REFUSAL_ANSWERS.items():
        if request.path_info.startswith(prefix):
            return _answer(dotted)
    return None


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
        own = _own_answer(request)
        if own is not None:
            return own(request, problems, detail)
        return render(request, "400.html", {"exception": detail}, status=400)


class GZipPagesMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (with its BREACH mitigation of random padding, and CSRF tokens
    masked per response) for HTML pages only: the API's files and answers choose their own
    encoding, and stored bytes are not compressed again on every download."""

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
