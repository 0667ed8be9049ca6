"""The HTTP API's shared pieces: the JSON error shape, the body limit, strict input fields,
permissions by role, and the endpoints that belong to no app (check, audit, client)."""
