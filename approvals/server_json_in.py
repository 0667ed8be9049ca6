"""server.json in (issue 13, section 2): a developer filing a request pastes a publisher's
`server.json` (the MCP Registry's `ServerDetail`), or names a server of a public registry
that speaks the same API, and the filing form is filled from it: package, version, the
command that runs it, environment variable names, repository. What cannot be mapped is
listed for the developer to see, never silently dropped; what is wrong is said with the
field and the rule, and nothing is filed either way."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from itertools import islice
from urllib.parse import quote

from django.conf import settings

from governance.limits import BadInput, loads_json
from governance.policy import names, versions
from governance.policy.secrets import secret_problem
from registry.upstream import UpstreamError
from registry.upstream_watch import fetch_json

from .forms import RequestForm, ServerJsonForm
from .models import RequestKind

REVERSE_DNS_NAME = re.compile(r"^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$")
REGISTRY_TYPES = ("npm", "pypi", "oci")
REMOTE_TYPES = {"streamable-http": "http", "sse": "sse"}
# What runs a package of each registry when server.json gives no runtimeHint.
RUNNERS = {"npm": ("npx", ["-y"]), "pypi": ("uvx", []), "oci": ("docker", ["run", "-i", "--rm"])}
KNOWN_KEYS = {"$schema", "name", "description", "title", "version", "repository", "packages",
              "remotes", "websiteUrl", "icons", "_meta"}


@dataclass
class Reading:
    """What a server.json gives the form: initial values, what it could not map, and why it
    could not be read at all (problems: field -> messages)."""

    initial: dict = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    problems: dict[str, list[str]] = field(default_factory=dict)

    def problem(self, where: str, message: str) -> None:
        self.problems.setdefault(where, []).append(message)


# ─── the shape of a ServerDetail ──────────────────────────────────────────────────────
# The JSON types of its fields, as the ServerDetail schema of the MCP Registry's OpenAPI
# document (version 2025-12-01) gives them: checked before anything is read, so that a
# document of another shape is refused naming the field and nothing is filled from it.
# Values (patterns, enums, lengths) are the mapping's own rules below, said field by field.
class MapOf:
    """An object whose every value has `shape` (the schema's additionalProperties)."""

    def __init__(self, shape):
        self.shape = shape


INPUT = {"description": str, "isRequired": bool, "format": str, "value": str, "isSecret": bool,
         "default": str, "placeholder": str, "choices": [str]}
INPUT_WITH_VARIABLES = {**INPUT, "variables": MapOf(INPUT)}
KEY_VALUE_INPUT = {**INPUT_WITH_VARIABLES, "name": str}
ARGUMENT = {**INPUT_WITH_VARIABLES, "type": str, "name": str, "valueHint": str,
            "isRepeated": bool}
TRANSPORT = {"type": str, "url": str, "headers": [KEY_VALUE_INPUT]}
PACKAGE = {"registryType": str, "registryBaseUrl": str, "identifier": str, "version": str,
           "fileSha256": str, "runtimeHint": str, "transport": TRANSPORT,
           "runtimeArguments": [ARGUMENT], "packageArguments": [ARGUMENT],
           "environmentVariables": [KEY_VALUE_INPUT]}
SERVER_DETAIL = {
    "$schema": str, "name": str, "description": str, "title": str, "version": str,
    "websiteUrl": str, "icons": [dict], "_meta": dict,
    "repository": {"url": str, "source": str, "id": str, "subfolder": str},
    "packages": [PACKAGE], "remotes": [{**TRANSPORT, "variables": MapOf(INPUT)}],
}
MUST_BE = {str: "must be a string", bool: "must be true or false", dict: "must be an object",
           list: "must be an array"}
MAX_SHAPE_PROBLEMS = 10


def _shape_problems(value, shape, where: str):
    """(field, message) for each value in `value` that is not of the type `shape` gives."""
    expected = dict if isinstance(shape, dict | MapOf) else list if isinstance(shape, list) \
        else shape
    # bool is an int in Python, and no JSON number is a bool or a string: exact types.
    if type(value) is not expected:
        yield where, MUST_BE[expected]
    elif isinstance(shape, list):
        for i, item in enumerate(value):
            yield from _shape_problems(item, shape[0], f"{where}[{i}]")
    elif isinstance(shape, MapOf):
        for key, item in value.items():
            yield from _shape_problems(item, shape.shape, f"{where}.{key[:60]}")
    elif isinstance(shape, dict):
        for key, inner in shape.items():
            if key in value:
                yield from _shape_problems(value[key], inner, f"{where}.{key}" if where
                                           else key)


def _check_shape(doc: dict, reading: Reading) -> bool:
    """Record each field of `doc` that is not of its schema type; True when all are."""
    found = list(islice(_shape_problems(doc, SERVER_DETAIL, ""), MAX_SHAPE_PROBLEMS + 1))
    for where, message in found[:MAX_SHAPE_PROBLEMS]:
        reading.problem(where, message)
    if len(found) > MAX_SHAPE_PROBLEMS:
        reading.problem("server.json", "has more fields of the wrong type; fix these first")
    return not found


def parse_server_json(text: str) -> Reading:
    """Read pasted text as a server.json."""
    reading = Reading()
    try:
        doc = loads_json(text)
    except BadInput as exc:
        reading.problem("server.json", str(exc))
        return reading
    except ValueError as exc:
        reading.problem("server.json", f"is not JSON: {exc}"[:300])
        return reading
    return read_server_detail(doc)


def _placeholder(name: str) -> str:
    return "${" + (re.sub(r"[^A-Za-z0-9_]", "_", name).upper().strip("_") or "VALUE") + "}"


def _input_value(item: dict, name: str) -> str:
    """A configured value: the literal when server.json fixes a non-secret one, otherwise a
    ${PLACEHOLDER} the developer's machine fills (never a secret in the portal)."""
    value = item.get("value") if isinstance(item.get("value"), str) else item.get("default")
    if isinstance(value, str) and value and not item.get("isSecret") and "{" not in value \
            and not secret_problem(value, name):
        return value
    return _placeholder(name)


def _arguments(items, where: str, reading: Reading) -> list[str]:
    args = []
    for i, item in enumerate(items or []):  # objects: the shape was checked
        if item.get("type") == "named" and isinstance(item.get("name"), str):
            flag = item["name"]
            if item.get("value") is not None or item.get("isRequired"):
                args.append(f"{flag}={_input_value(item, flag.lstrip('-'))}")
            else:
                args.append(flag)
        elif item.get("type") == "positional":
            args.append(_input_value(item, str(item.get("valueHint") or f"ARG_{i}")))
        else:
            reading.unmapped.append(f"{where}[{i}]: argument type {item.get('type')!r}")
    return args


def _package(package, reading: Reading, version: str) -> None:
    registry_type = package.get("registryType")
    identifier = package.get("identifier")
    if registry_type not in REGISTRY_TYPES:
        reading.problem("packages[0].registryType", (
            f"unknown registry type {registry_type!r}: the portal approves "
            f"{', '.join(REGISTRY_TYPES)} packages"))
        return
    if not isinstance(identifier, str) or names.package_problem(identifier):
        reading.problem("packages[0].identifier",
                        names.package_problem(identifier) or "is required")
        return
    pin = package.get("version") or version
    problem = versions.version_problem(pin)
    if problem:
        reading.problem("packages[0].version", problem)
        return
    transport = (package.get("transport") or {}).get("type")
    if transport not in (None, "stdio"):
        reading.unmapped.append(f"packages[0].transport: {transport!r} (a local server over "
                                "http): filled as stdio; change the config if it is not")
    hint = package.get("runtimeHint")
    command, runner_args = RUNNERS[registry_type]
    if isinstance(hint, str) and hint:
        command = hint
    runtime = _arguments(package.get("runtimeArguments"), "packages[0].runtimeArguments",
                         reading)
    if package.get("runtimeArguments"):
        runner_args = runtime
    spec = {"npm": f"{identifier}@{pin}", "pypi": f"{identifier}=={pin}",
            "oci": f"{identifier}:{pin}"}[registry_type]
    env = {}
    for i, item in enumerate(package.get("environmentVariables") or []):
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            env[item["name"]] = _input_value(item, item["name"])
        else:
            reading.unmapped.append(f"packages[0].environmentVariables[{i}]: no name")
    if registry_type == "oci":  # docker passes the environment by name: -e NAME
        runner_args = [*runner_args, *[a for name in env for a in ("-e", name)]]
    args = [*runner_args, spec, *_arguments(package.get("packageArguments"),
                                            "packages[0].packageArguments", reading)]
    reading.initial.update(package_registry=registry_type, package=identifier, version=pin,
                           **RequestForm.config_initial(
                               {"command": command, "args": args, "env": env}))
    base = package.get("registryBaseUrl")
    if base:
        reading.unmapped.append(f"packages[0].registryBaseUrl: {base} (the config installs "
                                "from the machine's configured registry)")
    if package.get("fileSha256"):
        reading.unmapped.append("packages[0].fileSha256: not checked by the config")


def _remote(remote, reading: Reading) -> None:
    kind = REMOTE_TYPES.get(remote.get("type"))
    if kind is None or not isinstance(remote.get("url"), str):
        reading.problem("remotes[0]", f"type {remote.get('type')!r} with url "
                                      f"{remote.get('url')!r}: expected streamable-http or "
                                      "sse with a url")
        return
    config = {"type": kind, "url": remote["url"]}
    headers = {item["name"]: _input_value(item, item["name"])
               for item in remote.get("headers") or []
               if isinstance(item, dict) and isinstance(item.get("name"), str)}
    if headers:
        config["headers"] = headers
    if remote.get("variables"):
        reading.unmapped.append(f"remotes[0].variables: {', '.join(remote['variables'])} "
                                "(fill them into the URL)")
    reading.initial.update(config_json=json.dumps(config, indent=2))


def read_server_detail(doc) -> Reading:
    """Map a ServerDetail document to the filing form's initial values."""
    reading = Reading()
    if not isinstance(doc, dict):
        reading.problem("server.json", "must be a JSON object (a ServerDetail)")
        return reading
    if not _check_shape(doc, reading):
        return reading
    name = doc.get("name")
    if not isinstance(name, str) or not REVERSE_DNS_NAME.fullmatch(name):
        reading.problem("name", f"{name!r} is not a reverse-DNS server name with one slash "
                                "(for example io.github.user/weather)")
        return reading
    short = name.split("/", 1)[1].lower()
    problem = names.name_problem(short)
    if problem:
        reading.problem("name", problem)
        return reading
    reading.initial.update(kind="new_server", server_name=short)
    version = doc.get("version") if isinstance(doc.get("version"), str) else ""
    repository = doc.get("repository")
    if isinstance(repository, dict) and str(repository.get("url", "")).startswith("https://"):
        reading.initial["source"] = repository["url"]
        if repository.get("subfolder"):
            reading.unmapped.append(f"repository.subfolder: {repository['subfolder']}")
    packages = doc.get("packages") if isinstance(doc.get("packages"), list) else []
    remotes = doc.get("remotes") if isinstance(doc.get("remotes"), list) else []
    if packages and isinstance(packages[0], dict):
        _package(packages[0], reading, version)
    elif remotes and isinstance(remotes[0], dict):
        _remote(remotes[0], reading)
        if version and not versions.version_problem(version):
            reading.initial["version"] = version
    else:
        reading.problem("packages", "server.json has neither a package nor a remote to run")
    for i, extra in enumerate(packages[1:], start=1):
        what = extra.get("registryType", "?") if isinstance(extra, dict) else "?"
        reading.unmapped.append(f"packages[{i}] ({what}): only the first package is filed")
    remote_used = not (packages and isinstance(packages[0], dict))
    for i in range(1 if remote_used else 0, len(remotes)):
        reading.unmapped.append(f"remotes[{i}]: only one way to run the server is filed")
    if doc.get("description"):
        reading.unmapped.append(f"description: {str(doc['description'])[:100]} (write your "
                                "own use case)")
    reading.unmapped += [f"{key}: not used by the request" for key in (
        "title", "websiteUrl", "icons", "_meta") if doc.get(key)]
    reading.unmapped += [f"{key}: unknown field" for key in sorted(set(doc) - KNOWN_KEYS)]
    return reading


def lookup_public_registry(server_name: str) -> Reading:
    """The latest version of `server_name` from the public MCP registry configured in
    MCP_PUBLIC_REGISTRY_URL (the same v0.1 API), mapped as a pasted server.json."""
    reading = Reading()
    base = settings.MCP_PUBLIC_REGISTRY_URL
    if not base:
        reading.problem("registry_name", "no public registry is configured "
                                         "(MCP_PUBLIC_REGISTRY_URL): paste its server.json")
        return reading
    if not REVERSE_DNS_NAME.fullmatch(server_name or ""):
        reading.problem("registry_name", f"{server_name!r} is not a reverse-DNS server name "
                                         "with one slash (for example io.github.user/weather)")
        return reading
    url = (f"{base.rstrip('/')}/v0.1/servers/{quote(server_name, safe='')}/versions/latest")
    try:
        answer = fetch_json(url, max_bytes=1024 * 1024)
    except UpstreamError as exc:
        reading.problem("registry_name", str(exc))
        return reading
    if not isinstance(answer, dict) or not isinstance(answer.get("server"), dict):
        reading.problem("registry_name", f"{url} did not answer a ServerResponse")
        return reading
    return read_server_detail(answer["server"])


def filled_forms(post) -> tuple[ServerJsonForm, RequestForm, list[str] | None]:
    """The filing page after "Read the server.json" or "Look it up": the paste form (with
    its problems), the request form filled from the reading, and what could not be mapped
    (None when nothing was read)."""
    source_form = ServerJsonForm(post, prefix="sj")
    lookup = bool(post.get("registry_lookup"))
    reading = None
    if source_form.is_valid():
        data = source_form.cleaned_data
        if lookup and not data["registry_name"].strip():
            source_form.add_error("registry_name", "Name the server to look up.")
        elif lookup:
            reading = lookup_public_registry(data["registry_name"].strip())
        elif not data["server_json"].strip():
            source_form.add_error("server_json", "Paste a server.json first.")
        else:
            reading = parse_server_json(data["server_json"])
    if reading is not None:
        for where, problems in reading.problems.items():
            for problem in problems:
                source_form.add_error("registry_name" if lookup else "server_json",
                                      f"{where}: {problem}")
    if reading is None or reading.problems:
        return source_form, RequestForm(initial={"kind": RequestKind.NEW_SERVER}), None
    return source_form, RequestForm(initial=reading.initial), reading.unmapped
