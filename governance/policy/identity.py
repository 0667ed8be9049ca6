"""A server's identity (SPEC §4 rule 12): what a config runs (the runner, the package
it fetches and from where, or a remote origin), that it runs the package the request
names, and that a bump or a renewal keeps it."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from .remote import REMOTE_TYPES, remote_url_problem, url_origin
from .versions import BumpClassification, classify_bump

# Commands that fetch a package and run it, by the words that start them, and the registry
# they fetch from. `cmd /c` (how Windows starts npx) is looked through.
PACKAGE_RUNNERS = {
    ("npx",): "npm", ("bunx",): "npm", ("pnpx",): "npm", ("npm", "exec"): "npm",
    ("pnpm", "dlx"): "npm", ("yarn", "dlx"): "npm", ("bun", "x"): "npm",
    ("uvx",): "pypi", ("uv", "tool", "run"): "pypi", ("pipx", "run"): "pypi",
    ("docker", "run"): "oci", ("podman", "run"): "oci",
}
RUNNER_EXAMPLE = {"npm": "npx -y", "pypi": "uvx", "oci": "docker run -i --rm"}
REGISTRY_NAMES = {"npm": "npm", "pypi": "PyPI", "oci": "OCI"}
# The runners' options that take a value (the next argument, unless written --opt=value),
# so that the package is found after them.
_VALUE_OPTIONS = {
    "npm": "-p --package -c --call --registry --userconfig --cache -w --workspace",
    "pypi": "--from --spec -w --with --with-editable --with-requirements -p --python --index "
            "-i --index-url --extra-index-url --default-index -f --find-links --pip-args "
            "--python-preference --cache-dir --directory --project --env-file "
            "--index-strategy --keyring-provider -C --config-setting --exclude-newer "
            "--prerelease --resolution --link-mode",
    "oci": "-e --env --env-file -v --volume --mount -p --publish --name --network --net -u "
           "--user -w --workdir --entrypoint --platform --pull -l --label --label-file "
           "--add-host --cap-add --cap-drop --security-opt --tmpfs -h --hostname -m --memory "
           "--memory-swap --cpus --device --dns --ulimit --log-driver --log-opt --restart "
           "--shm-size --stop-signal --runtime --ipc --pid --userns --group-add --cidfile "
           "--health-cmd -a --attach --gpus --storage-opt --sysctl --annotation",
}
VALUE_OPTIONS = {registry: frozenset(text.split()) for registry, text in _VALUE_OPTIONS.items()}
# Options that name the package to fetch, and options that say where packages come from:
# another registry or index (or an extra package) is another package, whatever its name.
PACKAGE_OPTIONS = {"npm": {"-p", "--package"}, "pypi": {"--from", "--spec"}, "oci": set()}
SOURCE_OPTIONS = {
    "npm": {"--registry"},
    "pypi": {"--index", "-i", "--index-url", "--extra-index-url", "--default-index", "-f",
             "--find-links", "-w", "--with", "--with-editable", "--with-requirements"},
    "oci": set(),
}
NPM_PACKAGE_SPEC = re.compile(
    r"^(?P<name>(?:@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*)(?:@[^\s/:@]+)?$")
PYPI_PACKAGE_SPEC = re.compile(
    r"^(?P<name>[A-Za-z0-9](?:[\w.-]*[A-Za-z0-9])?)(?:\[[\w,.-]+\])?(?:(?:==|@)[^\s/:@]+)?$")
OCI_IMAGE_SPEC = re.compile(
    r"^(?P<name>[a-z0-9][a-z0-9._-]*(?::\d+)?(?:/[a-z0-9][a-z0-9._-]*)*)"
    r"(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$")


@dataclass(frozen=True)
class Identity:
    """What a config runs, as far as it decides which server it is (SPEC §4 rule 12)."""

    transport: str                      # stdio, http or sse
    runner: tuple[str, ...] = ()        # the words that start it: ("npx",), ("docker", "run")
    registry: str = ""                  # npm, pypi or oci when the runner fetches a package
    package: str = ""                   # that package, as its registry compares names
    sources: tuple[str, ...] = ()       # another registry, index or extra package, if named
    origin: str = ""                    # a remote server's https://host:port

    def runs(self) -> str:
        if self.transport != "stdio":
            return f"the {self.transport} endpoint at {self.origin}"
        what = f"`{' '.join(self.runner)}`"
        if self.package:
            what = f"the {REGISTRY_NAMES[self.registry]} package {self.package} with {what}"
        return what + (f" ({', '.join(self.sources)})" if self.sources else "")


def normalise_package(registry: str, name: str) -> str:
    """A package name as its registry compares it: PyPI ignores case and runs of - _ .;
    OCI references are lower case; npm names are compared as written."""
    if registry == "pypi":
        return re.sub(r"[-_.]+", "-", name).lower()
    if registry == "oci":
        return name.lower()
    return name


def _command_base(command: str) -> str:
    """/usr/local/bin/npx, npx.cmd, NPX.EXE: npx."""
    name = posixpath.basename(command.replace("\\", "/")).lower()
    for suffix in (".cmd", ".exe", ".bat", ".ps1"):
        name = name.removesuffix(suffix)
    return name


def _fetched_package(registry: str, rest: list[str]) -> tuple[str, tuple[str, ...]]:
    """The package spec a runner fetches from its arguments, and the sources they name."""
    chosen, sources, index = "", [], 0
    while index < len(rest):
        arg = rest[index]
        if arg == "--":
            return chosen or (rest[index + 1] if index + 1 < len(rest) else ""), tuple(sources)
        if arg.startswith("-") and len(arg) > 1:
            name, equals, value = arg.partition("=")
            if not equals and name in VALUE_OPTIONS[registry]:
                value = rest[index + 1] if index + 1 < len(rest) else ""
                index += 1
            if name in PACKAGE_OPTIONS[registry] and not chosen:
                chosen = value
            if name in SOURCE_OPTIONS[registry]:
                sources.append(f"{name} {value}")
            index += 1
            continue
        return chosen or arg, tuple(sources)
    return chosen, tuple(sources)


def package_of_spec(registry: str, spec: str) -> str:
    """The package a runner's spec names (`@scope/pkg@1.2.3`, `pkg==1.2.3`,
    `image:tag@sha256:…`); a spec that is not a registry package (a path, a git or tarball
    URL, an alias) is returned whole, so that it never equals a package name."""
    pattern = {"npm": NPM_PACKAGE_SPEC, "pypi": PYPI_PACKAGE_SPEC, "oci": OCI_IMAGE_SPEC}[registry]
    m = pattern.match(spec)
    return normalise_package(registry, m["name"]) if m else spec


def config_identity(config) -> Identity | None:
    """The identity of a config, or None for a config too broken to have one (its own
    problems are reported by `config_problems`)."""
    if not isinstance(config, dict):
        return None
    if config.get("type") in REMOTE_TYPES:
        url = config.get("url")
        if remote_url_problem(url):
            return None
        return Identity(config["type"], origin=url_origin(url))
    command, args = config.get("command"), config.get("args", [])
    if not isinstance(command, str) or not command.strip() or not isinstance(args, list) or (
            not all(isinstance(a, str) for a in args)):
        return None
    words, prefix = [command, *args], []
    if _command_base(command) == "cmd" and len(words) > 2 and words[1].lower() == "/c":
        prefix, words = words[:2], words[2:]
    for start, registry in sorted(PACKAGE_RUNNERS.items(), key=lambda item: -len(item[0])):
        size = len(start)
        if (len(words) >= size and _command_base(words[0]) == start[0]
                and tuple(words[1:size]) == start[1:]):
            spec, sources = _fetched_package(registry, words[size:])
            return Identity("stdio", tuple(prefix + words[:size]), registry,
                            package_of_spec(registry, spec) if spec else "", sources)
    return Identity("stdio", tuple(prefix + words[:1]))


def package_problems(config, *, package: str, package_registry: str = "") -> dict[str, list]:
    """The package a stdio config runs must be the package the request names, so that the
    registry YAML (`npm_package` …) and the allowlist (the exact argv) never disagree."""
    identity = config_identity(config)
    if not package or identity is None or identity.transport != "stdio":
        return {}
    registry = package_registry or identity.registry
    if not identity.registry:
        example = RUNNER_EXAMPLE.get(registry, "npx -y, uvx or docker run")
        return {"config.command": [
            f"`{identity.runner[-1]}` does not fetch a package, but the request names the "
            f"package {package}: run it with the command that fetches it ({example}), or "
            "leave the package out"]}
    if identity.registry != registry:
        return {"config.command": [
            f"{package} is a {REGISTRY_NAMES.get(registry, registry)} package, but "
            f"`{' '.join(identity.runner)}` fetches from {REGISTRY_NAMES[identity.registry]}: "
            f"run it with {RUNNER_EXAMPLE[registry]}"]}
    if not identity.package:
        return {"config.args": [
            f"`{' '.join(identity.runner)}` is given no package to run: name {package} "
            "with its version in the args"]}
    if identity.package != normalise_package(registry, package):
        return {"config.args": [
            f"the args run {identity.package}, but the request names the package {package}: "
            "the registry and the allowlist must name the same package. Another package "
            "is another server: file a new_server request for it, under its own name"]}
    if identity.sources:
        return {"config.args": [
            f"{', '.join(identity.sources)} fetches {package} from elsewhere than its "
            f"registry, or adds packages to it: name only {package}, from "
            f"{REGISTRY_NAMES[registry]}"]}
    return {}


def identity_problems(*, old_config, new_config, kind: str, server: str) -> dict[str, list]:
    """A version bump or a renewal keeps the server's identity (SPEC §4 rule 12): the same
    command runs the same package from the same place, or the same origin serves it. A
    change of transport is allowed to a bump (classified major by `classify_change`), not
    to a renewal, which re-certifies what is approved."""
    old, new = config_identity(old_config), config_identity(new_config)
    if old is None or new is None:
        return {}
    again = ("Another package, command or endpoint is another server: file a new_server "
             "request for it, under its own name.")
    if old.transport != new.transport:
        if kind == "renewal":
            return {"config.type": [
                f"a renewal re-certifies {server} as approved ({old.transport}); a change "
                "of transport is a version_bump, classified major"]}
        if "stdio" not in (old.transport, new.transport) and old.origin != new.origin:
            return {"config.url": [
                f"{server} is served from {old.origin}, this URL from {new.origin}: a "
                f"{kind} keeps the server's origin (scheme, host and port). {again}"]}
        return {}
    if old.transport != "stdio":
        if old.origin != new.origin:
            return {"config.url": [
                f"{server} is served from {old.origin}, this URL from {new.origin}: a "
                f"{kind} keeps the server's origin (scheme, host and port). {again}"]}
        return {}
    if old.runner != new.runner:
        return {"config.command": [
            f"{server} runs {old.runs()}; this config runs {new.runs()}: a {kind} keeps "
            f"the command that starts the server. {again}"]}
    if (old.package, old.sources) != (new.package, new.sources):
        return {"config.args": [
            f"{server} runs {old.runs()}; this config runs {new.runs()}: a {kind} keeps "
            f"the server's package. {again}"]}
    return {}


def classify_change(*, old_version: str, new_version: str, old_config=None,
                    new_config=None) -> BumpClassification:
    """`classify_bump`, at least major when the transport (stdio, http, sse) or the command
    that runs the server changes (SPEC §4 rules 4 and 12)."""
    bump = classify_bump(old_version, new_version)
    old, new = config_identity(old_config), config_identity(new_config)
    if bump.level == "major" or old is None or new is None:
        return bump
    if old.transport != new.transport:
        return BumpClassification("major", f"{bump.why}, but a change of transport "
                                           f"({old.transport} → {new.transport}) counts as major")
    if old.runner != new.runner:
        return BumpClassification("major", f"{bump.why}, but a change of the command that runs "
                                           "it counts as major")
    return bump


def registry_package(config) -> tuple[str, str]:
    """(registry, package) that a stdio config fetches from its registry, or ("", "") when
    it runs no registry package (a path, a git URL, a remote server)."""
    identity = config_identity(config)
    if identity is None or not identity.package or identity.sources:
        return "", ""
    pattern = {"npm": NPM_PACKAGE_SPEC, "pypi": PYPI_PACKAGE_SPEC, "oci": OCI_IMAGE_SPEC}
    if not pattern[identity.registry].match(identity.package):
        return "", ""
    return identity.registry, identity.package
