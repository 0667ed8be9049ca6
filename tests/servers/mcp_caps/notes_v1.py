"""A small MCP server written with the official SDK (mcp 2.x's MCPServer, FastMCP before):
version 1 of "notes", the fixture the capability inspection tests start in the sandbox."""

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

server = MCPServer(name="notes", version="1.0.0")


@server.tool(annotations=ToolAnnotations(readOnlyHint=True, openWorldHint=False))
def list_notes() -> list[str]:
    """List the titles of the saved notes."""
    return []


@server.tool(annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False))
def add_note(title: str, text: str) -> str:
    """Save a note under a title."""
    return title


@server.resource("notes://index")
def index() -> str:
    """Every note's title, one a line."""
    return ""


@server.prompt()
def summarise(title: str) -> str:
    """Ask for a summary of one note."""
    return f"Summarise the note {title}."


if __name__ == "__main__":
    server.run()
