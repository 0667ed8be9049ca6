"""The MCP Registry API, version 0.1 (SPEC §6.4), that VS Code and GitHub Copilot read as
the organisation's MCP registry: `GET /v0.1/servers`, `/v0.1/servers/{name}/versions` and
`/v0.1/servers/{name}/versions/{version}` (or `latest`), served from the approvals.

The one part of the portal that answers errors in another form than SPEC §7's: the official
document's `{"error": "..."}`. Read access is the administrators' choice (Organisation:
open, or signed-in users and token holders); `GET` carries CORS headers so that browser-based
clients can read it, and every answer a strong ETag (`If-None-Match` gives 304). It is
read-only: the document's optional writes (publish, edit, delete, status) answer 501."""

from __future__ import annotations

import hashlib
import json

from django.http import HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import APIException

from accounts.authentication import ApiTokenAuthentication
from governance.models import Organisation, RegistryAccess

from .. import mcp_registry
from ..formats import server_json

READ_METHODS = ("GET", "HEAD")
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, If-None-Match",
    "Access-Control-Expose-Headers": "ETag",
    "Access-Control-Max-Age": "86400",
}
TRUE, FALSE = ("true", "1"), ("false", "0", "")


def error(status: int, message: str, **headers) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    for key, value in headers.items():
        response[key.replace("_", "-")] = value
    return _with_cors(response)


def _with_cors(response):
    for key, value in CORS.items():
        response[key] = value
    return response


def nul_refused(request, problems: dict[str, list[str]], detail: str) -> JsonResponse:
    """A NUL character in an address of this API (`?search=%00`, a server name or version
    with %00): 400 in the document's error form, with the CORS headers its browser clients
    need to read it (named in NUL_REFUSAL_ANSWERS, used by governance.middleware)."""
    return error(400, "; ".join(f"{key or 'path'}: {message}"
                                for key, messages in problems.items()
                                for message in messages)
                 + "; nothing was looked up")


def _etag_matches(header: str, etag: str) -> bool:
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(",") if tag)


def _document(request, document: dict):
    body = json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
    etag = f'"{hashlib.sha256(body).hexdigest()}"'
    if _etag_matches(request.headers.get("If-None-Match", ""), etag):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    response["Vary"] = "Authorization, Cookie"
    return _with_cors(response)


def _refusal(request, org: Organisation):
    """None when the caller may read, else the error answer."""
    if org.registry_api_access == RegistryAccess.OPEN or request.user.is_authenticated:
        return None
    try:
        found = ApiTokenAuthentication().authenticate(request)
    except APIException as exc:
        headers = {"Retry_After": str(exc.wait)} if getattr(exc, "wait", None) else {}
        return error(exc.status_code, str(exc.detail), WWW_Authenticate="Token", **headers)
    if found is None:
        return error(401, "Authentication required: send Authorization: Token <your API "
                          "token>, or sign in to the portal.", WWW_Authenticate="Token")
    return None


def registry_view(handler):
    """Method handling, CORS preflight and read access around one read handler."""

    @csrf_exempt  # nothing here changes state; the writes answer 501 before anything else
    def view(request, **kwargs):
        if request.method == "OPTIONS":
            return _with_cors(HttpResponse(status=204))
        if request.method not in READ_METHODS:
            return not_supported(request)
        org = Organisation.load()
        refused = _refusal(request, org)
        if refused:
            return refused
        try:
            return handler(request, org, **kwargs)
        except mcp_registry.BadQuery as exc:
            return error(400, str(exc))

    return view


def _flag(request, name: str) -> bool:
    value = request.GET.get(name, "").lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise mcp_registry.BadQuery(f"{name}: must be true or false, not {value[:40]!r}")


def _query(request, org: Organisation) -> mcp_registry.Query:
    params = request.GET
    limit = params.get("limit", "")
    if limit and not (limit.isascii() and limit.isdigit()
                      and 1 <= int(limit) <= mcp_registry.MAX_LIMIT):
        raise mcp_registry.BadQuery(
            f"limit: must be a whole number from 1 to {mcp_registry.MAX_LIMIT}, not "
            f"{limit[:40]!r}")
    since = None
    if params.get("updated_since"):
        try:
            since = parse_datetime(params["updated_since"])
        except ValueError:
            since = None
        if since is None or since.tzinfo is None:
            raise mcp_registry.BadQuery(
                "updated_since: must be an RFC 3339 date-time with its offset, e.g. "
                "2025-08-07T13:15:04Z")
        since = mcp_registry.check_since(since)
    cursor = params.get("cursor", "")
    return mcp_registry.Query(
        search=params.get("search", "").strip()[:200],
        namespace=org.registry_namespace,
        version=params.get("version", "").strip()[:255],
        updated_since=since,
        include_deleted=_flag(request, "include_deleted"),
        after=mcp_registry.decode_cursor(cursor) if cursor else None,
        limit=int(limit) if limit else mcp_registry.DEFAULT_LIMIT,
    )


def _local_name(org: Organisation, server_name: str) -> str | None:
    """The portal's server name for an API name in the organisation's namespace."""
    namespace, _, name = server_name.partition("/")
    return name if namespace == org.registry_namespace and name else None


@registry_view
def server_list(request, org):
    page, after = mcp_registry.served_page(_query(request, org))
    return _document(request, server_json.server_list(
        page, namespace=org.registry_namespace, organisation=org.organization,
        next_cursor=mcp_registry.encode_cursor(*after) if after else None))


@registry_view
def server_versions(request, org, server_name):
    include_deleted = _flag(request, "include_deleted")
    name = _local_name(org, server_name)
    versions = mcp_registry.server_versions(name, include_deleted=include_deleted) \
        if name else []
    if not versions:
        return error(404, f"Server not found: {server_name}")
    return _document(request, server_json.server_list(
        versions, namespace=org.registry_namespace, organisation=org.organization,
        next_cursor=None))


@registry_view
def server_version(request, org, server_name, version):
    include_deleted = _flag(request, "include_deleted")
    name = _local_name(org, server_name)
    served = mcp_registry.server_version(name, version, include_deleted=include_deleted) \
        if name else None
    if served is None:
        return error(404, f"Server not found: {server_name} version {version}")
    return _document(request, server_json.server_response(
        served, namespace=org.registry_namespace, organisation=org.organization))


@csrf_exempt
def not_supported(request, **kwargs):
    if request.method == "OPTIONS":
        return _with_cors(HttpResponse(status=204))
    return error(501, "This registry is read only: servers are added by approving a request "
                      "in the portal.")


@csrf_exempt
def not_found(request, **kwargs):
    return error(404, f"Not found: {request.path}")
