"""Shared pieces of the Registry API tests: requests validated against the official
document, and the names in the answers (the fixtures `org` and `reader` are in conftest)."""

from urllib.parse import quote

from .official_openapi import validate

OFFICIAL = "io.modelcontextprotocol.registry/official"
LIST = "/v0.1/servers"


def get(client, path, **params):
    response = client.get(path, params)
    validate(response, path)
    return response


def names(body):
    return [entry["server"]["name"] for entry in body["servers"]]


def versions_path(name, version=None):
    base = f"/v0.1/servers/{quote(name, safe='')}/versions"
    return f"{base}/{quote(version, safe='')}" if version else base
