"""`make lint`: requirements.lock (what the Docker image installs, hash-checked) must pin
exactly the runtime dependencies of pyproject.toml, at the same versions, and nothing that
pyproject.toml no longer asks for. When it fails, `make lock` writes the lock again."""

import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "mcp-governance-portal (pyproject.toml)"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")


def locked(text: str) -> tuple[dict[str, str], dict[str, set[str]]]:
    """The lock's pins (name: version) and, for each, what asks for it (pip-compile's
    `# via` comments)."""
    pins, via, current = {}, {}, None
    for line in text.splitlines():
        pin = PIN.match(line)
        if pin:
            current = canonicalize_name(pin.group(1))
            pins[current], via[current] = pin.group(2), set()
        elif current and line.startswith("    #"):
            words = line.strip("# \t").removeprefix("via").strip()
            if words:
                via[current].add(words)
    return pins, via


def problems(pyproject: dict, lock_text: str) -> list[str]:
    pins, via = locked(lock_text)
    out, wanted = [], set()
    for spec in pyproject["project"]["dependencies"]:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        wanted.add(name)
        versions = [s.version for s in requirement.specifier if s.operator == "=="]
        if len(versions) != 1:
            out.append(f"pyproject.toml: {spec} is not pinned exactly (==)")
        elif name not in pins:
            out.append(f"requirements.lock: {requirement.name} is missing")
        elif pins[name] != versions[0]:
            out.append(f"requirements.lock: {requirement.name} is {pins[name]}, "
                       f"pyproject.toml asks for {versions[0]}")
    for name, asked_by in sorted(via.items()):
        if PROJECT in asked_by and name not in wanted:
            out.append(f"requirements.lock: {name} is no longer in pyproject.toml")
    if not pins:
        out.append("requirements.lock: no pins")
    return out


def main() -> int:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    found = problems(pyproject, (ROOT / "requirements.lock").read_text())
    for problem in found:
        print(problem, file=sys.stderr)
    if found:
        print("pyproject.toml and requirements.lock disagree: run `make lock`",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
