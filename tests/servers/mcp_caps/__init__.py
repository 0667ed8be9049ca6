"""MCP servers the capability inspection tests start in the sandbox: notes_v1 and
notes_v2 (written with the official SDK), and bad/ (servers that misbehave)."""

from pathlib import Path

SERVERS = Path(__file__).resolve().parent
BAD = SERVERS / "bad"


def local(script: Path, *args: str) -> dict:
    """A config that runs a fixture server with this interpreter (no install), allowed
    by settings.INSPECTION_LOCAL_ROOTS."""
    return {"command": "python", "args": [str(script), *args]}
