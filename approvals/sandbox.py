"""Where an inspected server runs (issue 14): its package installed into a cache (the one
step that may use the network; no install script runs: npm --ignore-scripts, pip wheels
only), then started in bubblewrap (Debian's `bubblewrap`) with no network, an empty home,
a read-only file system but its writable folders (tmpfs of a set size), and limits from
prlimit (address space, CPU seconds, file size, open files) under a wall-clock `timeout`.
Its standard output is cut after INSPECTION_OUTPUT_BYTES by `head -c` (unbuffered by
`stdbuf`), so a flood cannot fill the worker."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

# What the sandbox sees, read-only: the system's programs and libraries, and /etc (name
# resolution and certificates; the sandbox has no network to use them). Never /home,
# /root, /work, /var or /srv: the portal's code, settings and data stay out of sight.
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/etc")
SAFE_NAME = re.compile(r"[^A-Za-z0-9._@+-]")


class InstallFailed(Exception):
    """The package could not be installed: the reason, for the reviewer."""


@dataclass(frozen=True)
class Limits:
    seconds: float
    memory_bytes: int
    output_bytes: int
    scratch_bytes: int = 64 * 1024 * 1024  # each writable tmpfs: /tmp, /home, /scratch

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(settings.INSPECTION_TIMEOUT, settings.INSPECTION_MEMORY_MB * 1024 * 1024,
                   settings.INSPECTION_OUTPUT_BYTES, settings.INSPECTION_SCRATCH_MB * 1024 * 1024)


@dataclass(frozen=True)
class Launch:
    """A program to start in the sandbox: its argv and the folders it needs to read."""

    argv: tuple[str, ...]
    reads: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()


def bubblewrap() -> str:
    found = shutil.which("bwrap")
    if not found:
        raise InstallFailed("bubblewrap (bwrap) is not installed on the inspector: "
                            "apt-get install bubblewrap")
    return found


def cache_dir(kind: str, package: str, version: str) -> Path:
    root = Path(settings.INSPECTION_CACHE_DIR)
    return root / kind / SAFE_NAME.sub("_", f"{package}@{version}")


# What an installer is given of the worker's environment: where programs are, the locale,
# proxies, certificates and the installers' own settings. Never the rest (SECRET_KEY,
# DATABASE_URL, the broker's URL...): an installer fetches what a requester named.
_INSTALL_ENV = re.compile(r"PATH|HOME|LANG|LC_[A-Z]+|TMPDIR|(?i:(http|https|no|all)_proxy)|"
                          r"SSL_CERT_(FILE|DIR)|REQUESTS_CA_BUNDLE|NODE_EXTRA_CA_CERTS|"
                          r"(?i:npm_config_[a-z0-9_]+)|PIP_[A-Z0-9_]+|UV_[A-Z0-9_]+")


def install_environment() -> dict[str, str]:
    kept = {key: value for key, value in os.environ.items() if _INSTALL_ENV.fullmatch(key)}
    return {**kept, "npm_config_update_notifier": "false"}


def _run_install(argv: list[str], where: Path) -> None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, errors="replace",
                              timeout=settings.INSPECTION_INSTALL_TIMEOUT, check=False,
                              env=install_environment())
    except subprocess.TimeoutExpired as exc:
        shutil.rmtree(where, ignore_errors=True)
        raise InstallFailed(f"the install took longer than "
                            f"{settings.INSPECTION_INSTALL_TIMEOUT:g} s") from exc
    except OSError as exc:
        shutil.rmtree(where, ignore_errors=True)
        raise InstallFailed(f"the installer could not start: {exc}") from exc
    if done.returncode != 0:
        shutil.rmtree(where, ignore_errors=True)
        raise InstallFailed("the install failed: " + (done.stderr or done.stdout)[-2000:])


def install_npm(package: str, version: str, command: str = "") -> Launch:
    """`npm install --ignore-scripts` into the cache; the package's bin run with node."""
    where = cache_dir("npm", package, version)
    module = where / "node_modules" / package
    if not (module / "package.json").exists():
        where.mkdir(parents=True, exist_ok=True)
        _run_install(["npm", "install", "--prefix", str(where), "--ignore-scripts",
                      "--no-audit", "--no-fund", "--omit=dev", "--no-save",
                      f"{package}@{version}"], where)
    try:
        manifest = json.loads((module / "package.json").read_text())
    except (OSError, ValueError) as exc:
        raise InstallFailed(f"{package}@{version} installed without a package.json") from exc
    bins = manifest.get("bin") or {}
    if isinstance(bins, str):
        bins = {package.rsplit("/", 1)[-1]: bins}
    chosen = bins.get(command) if command else (
        next(iter(bins.values())) if len(bins) == 1 else bins.get(package.rsplit("/", 1)[-1]))
    if not chosen:
        raise InstallFailed(f"{package}@{version} names no program to run "
                            f"(its bin: {', '.join(bins) or 'none'})")
    node = shutil.which("node") or "node"
    return Launch((node, str(module / chosen)), reads=(str(where),))


def install_pypi(package: str, version: str, command: str) -> Launch:
    """A venv in the cache with the package from wheels only (no build step runs code)."""
    where = cache_dir("pypi", package, version)
    program = where / "bin" / command
    if not program.exists():
        _run_install([sys.executable, "-m", "venv", str(where)], where)
        _run_install([str(where / "bin" / "python"), "-m", "pip", "install", "--quiet",
                      "--only-binary=:all:", "--disable-pip-version-check",
                      f"{package}=={version}"], where)
    if not program.exists():
        raise InstallFailed(f"{package}=={version} installs no program named {command}")
    return Launch((str(program),), reads=(str(where), sys.base_prefix))


def sandboxed_argv(launch: Launch, env: dict, limits: Limits) -> list[str]:
    """The command line that starts `launch` in the sandbox, within the limits."""
    wrap = [bubblewrap(), "--unshare-all", "--die-with-parent", "--new-session",
            "--cap-drop", "ALL", "--clearenv"]
    for path in SYSTEM_PATHS:
        wrap += ["--ro-bind-try", path, path]
    # The empty folders first, then what is read (the cache may be under /tmp itself).
    # Each writable folder is a tmpfs of its own size: memory the address-space limit does
    # not count, so unsized a server could fill the machine's memory with files.
    size = str(int(limits.scratch_bytes))
    wrap += ["--proc", "/proc", "--dev", "/dev", "--size", size, "--tmpfs", "/tmp",
             "--size", size, "--tmpfs", "/home", "--dir", "/home/inspect",
             "--size", size, "--tmpfs", "/scratch"]
    for path in dict.fromkeys(launch.reads):
        wrap += ["--ro-bind", path, path]
    wrap += ["--chdir", "/scratch"]
    environment = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/home/inspect",
                   "LANG": "C.UTF-8", "TMPDIR": "/tmp", **env, **dict(launch.env)}
    for key, value in environment.items():
        wrap += ["--setenv", key, value]
    seconds = max(1, int(limits.seconds))
    limited = ["prlimit", f"--as={limits.memory_bytes}", f"--cpu={seconds}",
               f"--fsize={limits.output_bytes}", "--nofile=256", "--core=0", "--"]
    # The wall clock: the MCP client gives up at `seconds`; this ends the sandbox anyway.
    wall = ["timeout", "--foreground", "--kill-after=2", str(seconds + 5)]
    inner = [*wall, *limited, *wrap, "--", *launch.argv]
    # Standard output through `head -c`: the server's output is cut at the limit, and the
    # server, writing on, ends with SIGPIPE.
    return ["sh", "-c", f'"$@" | stdbuf -o0 head -c {int(limits.output_bytes)}', "sandbox", *inner]
