"""Answers every message with text that is not JSON-RPC."""
import sys

for line in sys.stdin:
    sys.stdout.write("Hello! I am not an MCP server.\n{not json\n")
    sys.stdout.flush()
