"""Speak MCP to a server with the official Python SDK (`mcp` on PyPI): initialize, then
tools/list, resources/list and prompts/list, following their pages up to the limits.
Over stdio to a program in the sandbox (approvals.sandbox), or over streamable HTTP to a
remote server that answers without credentials. Every way it can end is a Result with a
status and a reason; nothing raises."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field

import anyio
from django.conf import settings
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import PaginatedRequestParams

STDERR_KEEP = 8000  # characters of the server's error output kept (its end)


@dataclass
class Result:
    status: str = "done"                   # done or not_inspectable
    reason: str = ""
    stderr: str = ""
    server_name: str = ""
    server_version: str = ""
    protocol_version: str = ""
    tools: list = field(default_factory=list)
    resources: list = field(default_factory=list)
    prompts: list = field(default_factory=list)
    cut: list = field(default_factory=list)


def _tool(tool) -> dict:
    hints = tool.annotations.model_dump(by_alias=True, exclude_none=True) if (
        tool.annotations) else {}
    return {"name": tool.name, "title": tool.title or "", "description": tool.description or "",
            "input_schema": tool.input_schema or {}, "annotations": hints}


def _resource(resource) -> dict:
    return {"name": resource.name, "uri": str(resource.uri),
            "description": resource.description or "", "mime_type": resource.mime_type or ""}


def _prompt(prompt) -> dict:
    return {"name": prompt.name, "description": prompt.description or "",
            "arguments": [a.name for a in prompt.arguments or []]}


async def _pages(result: Result, what: str, lister, attribute: str, shape) -> list:
    """Every item of a paginated list, up to INSPECTION_MAX_ITEMS and _MAX_PAGES."""
    items, cursor, pages = [], None, 0
    limit, page_limit = settings.INSPECTION_MAX_ITEMS, settings.INSPECTION_MAX_PAGES
    while True:
        page = await lister(params=PaginatedRequestParams(cursor=cursor) if cursor else None)
        pages += 1
        items.extend(shape(item) for item in getattr(page, attribute)[:limit - len(items) + 1])
        cursor = page.next_cursor
        if len(items) > limit:
            result.cut.append(f"{what}: more than {limit}; the first {limit} are recorded")
            return items[:limit]
        if not cursor:
            return items
        if pages >= page_limit:
            result.cut.append(f"{what}: more than {page_limit} pages; "
                              f"the first {page_limit} are recorded")
            return items


async def _converse(result: Result, read, write) -> None:
    async with ClientSession(read, write) as session:
        init = await session.initialize()
        result.server_name = (init.server_info.name or "")[:300]
        result.server_version = (init.server_info.version or "")[:100]
        result.protocol_version = str(init.protocol_version or "")[:40]
        caps = init.capabilities
        if caps is None or caps.tools is not None:
            result.tools = await _pages(result, "tools", session.list_tools, "tools", _tool)
        if caps is not None and caps.resources is not None:
            result.resources = await _pages(result, "resources", session.list_resources,
                                            "resources", _resource)
        if caps is not None and caps.prompts is not None:
            result.prompts = await _pages(result, "prompts", session.list_prompts, "prompts",
                                          _prompt)


def _failure(exc: BaseException) -> str:
    inner = exc
    while isinstance(inner, BaseExceptionGroup) and inner.exceptions:
        inner = inner.exceptions[0]
    text = str(inner).strip() or type(inner).__name__
    if "Connection closed" in text:
        return "the server closed the connection before it answered"
    return f"the server did not answer as MCP: {text[:500]}"


async def _stdio(argv: list[str], seconds: float) -> Result:
    result = Result()
    params = StdioServerParameters(command=argv[0], args=argv[1:], env={},
                                   encoding_error_handler="replace")
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as errlog:
        try:
            with anyio.fail_after(seconds):
                async with stdio_client(params, errlog=errlog) as (read, write):
                    await _converse(result, read, write)
        except TimeoutError:
            result.status, result.reason = "not_inspectable", (
                f"no answer within the time limit ({seconds:g} s)")
        except Exception as exc:  # noqa: BLE001 (any way a server fails is recorded)
            result.status, result.reason = "not_inspectable", _failure(exc)
        errlog.seek(0, 2)
        size = errlog.tell()
        errlog.seek(max(0, size - STDERR_KEEP * 4))
        result.stderr = errlog.read()[-STDERR_KEEP:]
    return result


async def _remote(url: str, seconds: float) -> Result:
    result = Result()
    try:
        with anyio.fail_after(seconds):
            async with streamable_http_client(url) as (read, write):
                await _converse(result, read, write)
    except TimeoutError:
        result.status, result.reason = "not_inspectable", (
            f"no answer within the time limit ({seconds:g} s)")
    except Exception as exc:  # noqa: BLE001
        result.status, result.reason = "not_inspectable", (
            f"{_failure(exc)} (a remote server is inspected only where it answers without "
            "credentials)")
    return result


def _finish(result: Result) -> Result:
    if result.status == "done" and result.cut:
        result.reason = "Cut: " + "; ".join(result.cut)
    return result


def probe_stdio(argv: list[str], *, seconds: float) -> Result:
    """Start `argv` (the sandboxed command line) and list what it offers."""
    return _finish(anyio.run(_stdio, list(argv), seconds))


def probe_remote(url: str, *, seconds: float) -> Result:
    return _finish(anyio.run(_remote, url, seconds))
