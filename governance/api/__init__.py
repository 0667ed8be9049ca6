"""The HTTP API's shared pieces, used by every app's endpoints: the JSON error shape, the
body limit, strict input fields and pagination."""
