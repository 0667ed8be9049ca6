"""Tries the network (the address given as its argument) and reports in its name what
happened: `reached` or `blocked: <the error>`."""
import socket
import sys

from raw import serve

host, port = sys.argv[1].rsplit(":", 1)
try:
    socket.create_connection((host, int(port)), timeout=3).close()
    outcome = "reached"
except OSError as exc:
    outcome = f"blocked: {exc}"
serve(lambda method, params: {"tools": []}, name=outcome)
