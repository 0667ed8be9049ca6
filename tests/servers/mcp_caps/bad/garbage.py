"""Answers every message with text that is not JSON-RPC."""
import sys

for _line in sys.stdin:
    sys.stdout.write("Hello! I am not an MCP server.\n{not json\n")
    sys.stdout.flush()
