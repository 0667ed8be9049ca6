"""Lists 10,000 tools, in pages of 500."""
from raw import serve

TOOLS = [{"name": f"tool_{n}", "description": "Does one thing.",
          "inputSchema": {"type": "object"}} for n in range(10_000)]


def answer(method, params):
    if method != "tools/list":
        return {}
    start = int(params.get("cursor") or 0)
    page = {"tools": TOOLS[start:start + 500]}
    if start + 500 < len(TOOLS):
        page["nextCursor"] = str(start + 500)
    return page


serve(answer)
