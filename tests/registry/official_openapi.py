"""Validation of responses against the official MCP Registry OpenAPI document, vendored in
tests/vendor/mcp-registry-openapi.yaml (its header names the repository, path, commit and
licence). OpenAPI 3.1 schemas are JSON Schema 2020-12: each response is validated against
the schema the document gives for its path, method and status, with the document's own
`$ref`s resolved inside it and formats (date-time, uri) checked."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DOCUMENT = Path(__file__).resolve().parents[1] / "vendor" / "mcp-registry-openapi.yaml"
VENDORED_COMMIT = "145c2ec7c424d503a553a50c0efac6c48db407db"
# The shape the document gives every error it describes.
ERROR_SHAPE = {"type": "object", "properties": {"error": {"type": "string"}},
               "required": ["error"]}


@cache
def document() -> dict:
    return yaml.safe_load(DOCUMENT.read_text())


@cache
def _registry() -> Registry:
    doc = document()
    return Registry().with_resource(doc["$id"], Resource.from_contents(
        doc, default_specification=DRAFT202012))


def _template(path: str) -> str:
    """The document's path template that a request path (URL-encoded or not) matches."""
    path = unquote(path)
    for template in document()["paths"]:
        pattern = "^" + re.sub(r"\\\{serverName\\\}", "[^/]+/[^/]+",
                               re.sub(r"\\\{version\\\}", "[^/]+", re.escape(template))) + "$"
        if re.match(pattern, path):
            return template
    raise AssertionError(f"{path} is not a path of the official document")


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def validate(response, path: str, method: str = "get") -> dict | None:
    """Validate a Django test response against the document; returns the parsed body.

    A status the document lists for the operation is validated against its schema; an
    error status it does not list (400 for a bad parameter, 401 without a token) against
    the error shape every operation of the document uses."""
    template = _template(path)
    operation = document()["paths"][template][method.lower()]
    status = str(response.status_code)
    if response.status_code == 304:
        assert response.content == b""
        return None
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    described = operation["responses"].get(status)
    if described is None:
        assert response.status_code >= 400, f"{status} is not a documented answer of {template}"
        schema = ERROR_SHAPE
    else:
        ref = _pointer("paths", template, method.lower(), "responses", status, "content",
                       "application/json", "schema")
        schema = {"$ref": f"{document()['$id']}#/{ref}"}
    if response.status_code >= 400:
        Draft202012Validator(ERROR_SHAPE).validate(body)
    validator = Draft202012Validator(schema, registry=_registry(),
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(body), key=lambda e: e.path)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    return body


def validate_server_detail(detail: dict) -> None:
    """A server.json (ServerDetail) against the document's schema."""
    schema = {"$ref": f"{document()['$id']}#/components/schemas/ServerDetail"}
    Draft202012Validator(schema, registry=_registry(),
                         format_checker=Draft202012Validator.FORMAT_CHECKER).validate(detail)
