"""POST /api/v1/check: is each server of a client config allowed?

A server is recognised by what it runs (its command and args, or its URL), then by its
package, and only last by its name: a user chooses the name, so renaming an unapproved
server must not make it pass, and an approved name on another command must not either.

The servers a config may be are found by indexed lookups, kept for the registry revision
(registry.check_index)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api.fields import error_responses

from ..check_index import (
    Index,
    ServerState,
    current_index,
    host_of,
    identity,
    packages_named,
    pin_of,
)

VERDICTS = ("approved", "unapproved", "denied", "expired", "version_mismatch")
MAX_SERVERS = 1000


# ─── verdicts ───────────────────────────────────────────────────────────────────────


def request_url(server_name: str | None = None) -> str:
    """Where to file a request, as an address the hook can show (PORTAL_BASE_URL, not the
    host the hook happened to call)."""
    base = f"{settings.PORTAL_BASE_URL}{reverse('request-new')}"
    return f"{base}?{urlencode({'server': server_name})}" if server_name else base


def _verdict(name, scope, verdict, reason, state: ServerState | None = None,
             found_by: str = "") -> dict:
    result = {
        "scope": scope, "name": name, "verdict": verdict, "reason": reason,
        "server": state.name if state else None, "recognised_by": found_by or None,
        "approved_version": None, "approved_pin": None, "expires": None,
        "request_url": None, "excluded_tools": [],
    }
    if state and state.deployable:
        version, key, expires = state.deployable
        result.update(approved_version=version, approved_pin=pin_of(key) if key else None,
                      expires=expires.isoformat(), excluded_tools=list(state.excluded_tools))
    if verdict != "approved":
        result["request_url"] = request_url(state.name if state else None)
    return result


def _about(state: ServerState, index: Index) -> str:
    if state.open_request:
        rid, version, status = state.open_request
        return (f" Request #{rid} for {state.name} {version} is open ({status}): "
                f"{settings.PORTAL_BASE_URL}{reverse('request-detail', args=[rid])}")
    return ""


def _for_server(name, scope, sid, index: Index, found_by: str, runs: str) -> dict:
    state = index.servers[sid]
    if state.deployable:
        version = state.deployable[0]
        return _verdict(name, scope, "version_mismatch",
                        f"{runs}, but the approved version of {state.name} is {version}: "
                        f"change the config to the approved pin or file a version_bump."
                        + _about(state, index), state, found_by)
    if state.denial:
        _, reason, alternative = state.denial
        alt = f" Suggested alternative: {alternative}" if alternative else ""
        return _verdict(name, scope, "denied",
                        f"{state.name} was denied: {reason}{alt}" + _about(state, index),
                        state, found_by)
    if state.lapsed:
        version, expires = state.lapsed
        return _verdict(name, scope, "expired",
                        f"the approval of {state.name} {version} expired on {expires}: file "
                        f"a renewal." + _about(state, index), state, found_by)
    return _verdict(name, scope, "unapproved",
                    f"{state.name} is not approved." + _about(state, index), state, found_by)


def _json_type(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return {str: "a string", list: "a list", dict: "an object"}.get(type(value), "null")


def config_problem(config) -> str | None:
    """What is wrong with the shape of a server entry, naming the field; None if nothing."""
    if not isinstance(config, dict):
        return f"the entry is {_json_type(config)}, not an object"
    for key, kind, text in (("type", str, "a string"), ("command", str, "a string"),
                            ("url", str, "a string"), ("args", list, "a list of strings")):
        if key in config and not isinstance(config[key], kind):
            return f'"{key}" must be {text}, not {_json_type(config[key])}'
    if isinstance(config.get("args"), list) and not all(
            isinstance(a, str) for a in config["args"]):
        return '"args" must be a list of strings'
    return None


def verdict_for(name: str, config, scope: str, index: Index) -> dict:
    problem = config_problem(config)
    if problem:
        return _verdict(name, scope, "unapproved",
                        f"the entry is malformed: {problem}. Fix the entry; as written it "
                        "cannot be matched to an approval.")
    key = identity(config)
    if key is None:
        return _verdict(name, scope, "unapproved",
                        "the config names neither a command (stdio) nor a type and URL "
                        "(http, sse), so it cannot be matched to an approval")
    runs = f"this config runs {key[1]}" if key[0] == "url" else (
        f"this config runs {' '.join(key[1:])}")
    hit = index.by_identity.get(key)
    if hit:
        sid, version, status = hit
        state = index.servers[sid]
        if status == "deployable":
            renamed = f" (approved as {state.name})" if name != state.name else ""
            return _verdict(name, scope, "approved",
                            f"{state.name} {version} is approved until "
                            f"{state.deployable[2]}{renamed}.", state, "command" if
                            key[0] == "cmd" else "url")
        return _for_server(name, scope, sid, index, "command" if key[0] == "cmd" else "url",
                           f"{runs} ({state.name} {version}, {status})")
    if key in index.denied_identity:
        return _for_server(name, scope, index.denied_identity[key], index,
                           "command" if key[0] == "cmd" else "url", runs)
    if key[0] == "cmd":
        for package in packages_named(key[2:]):
            sid = index.by_package.get(package)
            if sid is not None:
                return _for_server(name, scope, sid, index, "package", runs)
    else:
        hosts = index.by_host.get(host_of(key[1]), set())
        if len(hosts) == 1:
            return _for_server(name, scope, next(iter(hosts)), index, "url", runs)
    sid = index.by_name.get(name)
    if sid is not None:
        state = index.servers[sid]
        if state.denial and not state.deployable:
            return _for_server(name, scope, sid, index, "name", runs)
        if state.deployable:
            return _verdict(name, scope, "unapproved",
                            f"{runs}, which is not what was approved under the name "
                            f"{state.name}: a server is approved for its command or URL, not "
                            f"its name.", state, "name")
    return _verdict(name, scope, "unapproved",
                    f"{runs}, which matches no approval: file a request before using it.")


# ─── the endpoint ───────────────────────────────────────────────────────────────────


class ServersField(serializers.DictField):
    """{name: config} as in mcpServers. An entry of the wrong shape is not an error of the
    request: it gets its own verdict (unapproved, naming the bad field), so one bad entry
    does not stop the check of the others."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.JSONField(allow_null=True), **kwargs)


class ProjectSerializer(serializers.Serializer):
    mcpServers = ServersField(required=False)  # noqa: N815 (Claude Code's key)


class CheckInputSerializer(serializers.Serializer):
    """A client config as in `.mcp.json` or `~/.claude.json`; other keys of those files are
    ignored. Send no env or header values: the check needs only what a server runs."""

    mcpServers = ServersField(required=False)  # noqa: N815
    projects = serializers.DictField(child=ProjectSerializer(), required=False)

    def validate(self, attrs):
        if "mcpServers" not in attrs and "projects" not in attrs:
            raise serializers.ValidationError(
                {"mcpServers": ["give mcpServers (and/or projects with their mcpServers)"]})
        count = len(attrs.get("mcpServers", {})) + sum(
            len(p.get("mcpServers", {})) for p in attrs.get("projects", {}).values())
        if count > MAX_SERVERS:
            raise serializers.ValidationError(
                {"mcpServers": [f"at most {MAX_SERVERS} servers per check"]})
        return attrs


class VerdictSerializer(serializers.Serializer):
    scope = serializers.CharField(help_text="user, or the project path the server is under")
    name = serializers.CharField()
    verdict = serializers.ChoiceField(choices=VERDICTS)
    reason = serializers.CharField()
    server = serializers.CharField(allow_null=True, help_text="The catalog server it is")
    recognised_by = serializers.ChoiceField(choices=["command", "url", "package", "name"],
                                            allow_null=True)
    approved_version = serializers.CharField(allow_null=True)
    approved_pin = serializers.DictField(allow_null=True)
    expires = serializers.DateField(allow_null=True)
    request_url = serializers.CharField(allow_null=True)
    excluded_tools = serializers.ListField(
        child=serializers.CharField(),
        help_text="The tools of the approved version that are not approved (MCP tool names): "
                  "the hook denies calls to them, whatever the server is called locally.")


class CheckResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField(help_text="True when every server is approved")
    results = VerdictSerializer(many=True)
    counts = serializers.DictField(child=serializers.IntegerField())
    checked_at = serializers.DateTimeField()


class CheckView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Check a client config: one verdict per server",
        request=CheckInputSerializer,
        responses={200: CheckResultSerializer, **error_responses(400, 401, 413)},
        examples=[OpenApiExample("a project config", request_only=True, value={
            "mcpServers": {"context7": {"command": "npx",
                                        "args": ["-y", "@context7/mcp-server@1.2.3"]}}})],
    )
    def post(self, request):
        serializer = CheckInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        entries = [*data.get("mcpServers", {}).items()]
        for project in data.get("projects", {}).values():
            entries.extend(project.get("mcpServers", {}).items())
        index = current_index(entries)
        results = [verdict_for(name, config, "user", index)
                   for name, config in data.get("mcpServers", {}).items()]
        for path, project in data.get("projects", {}).items():
            results.extend(verdict_for(name, config, path, index)
                           for name, config in project.get("mcpServers", {}).items())
        counts = dict.fromkeys(VERDICTS, 0)
        for result in results:
            counts[result["verdict"]] += 1
        return Response({"ok": counts["approved"] == len(results), "results": results,
                         "counts": counts, "checked_at": timezone.now()})
