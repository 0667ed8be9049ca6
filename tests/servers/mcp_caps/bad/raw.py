"""A bare MCP server over stdio (JSON-RPC, one message a line) for the bad-input fixtures:
each answers what it is asked with `answer(method, params)`, or misbehaves."""

import json
import sys


def serve(answer, name="bad", version="0.0.1"):
    for line in sys.stdin:
        message = json.loads(line)
        if "id" not in message:
            continue
        method = message["method"]
        if method == "initialize":
            result = {"protocolVersion": message["params"]["protocolVersion"],
                      "capabilities": {"tools": {}},
                      "serverInfo": {"name": name, "version": version}}
        else:
            result = answer(method, message.get("params") or {})
        sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": message["id"],
                                     "result": result}) + "\n")
        sys.stdout.flush()
