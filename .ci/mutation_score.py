"""`make mutation`: the score of mutmut's last run over governance/policy/, read from the
results it keeps in mutants/ (one .meta file per mutated module), and a failure below
the floor.

A mutant counts as killed when a test failed on it or it timed out (the tests noticed
an endless loop). Mutants listed in .ci/mutation_equivalent.txt change nothing a test
could observe (each is explained there): they are left out of the total, and the list
is checked, so that an entry a test now kills, or that no longer exists, fails the run
until it is removed. Every other mutant counts, survivors and mutants no test reaches
alike."""

import json
import sys
from pathlib import Path

from mutmut.stats import status_by_exit_code

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "mutants" / "governance" / "policy"
EQUIVALENT = ROOT / ".ci" / "mutation_equivalent.txt"
FLOOR = 90.0
DETECTED = {"killed", "timeout"}


def statuses() -> dict[str, str]:
    found = {}
    for meta in sorted(RESULTS.glob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        found.update({name: status_by_exit_code[code] for name, code in codes.items()})
    return found


def equivalent() -> dict[str, str]:
    """name: why, from the lines `name  # why` (continued on lines that start with #)."""
    listed = {}
    for line in EQUIVALENT.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, why = line.partition("#")
            listed[name.strip()] = why.strip()
    return listed


def main() -> int:
    found = statuses()
    if not found:
        print("no mutmut results in mutants/: run `make mutation`")
        return 1
    listed = equivalent()
    stale = sorted(name for name in listed if found.get(name) not in (None, "survived"))
    gone = sorted(name for name in listed if name not in found)
    counted = {name: status for name, status in found.items() if name not in listed}
    killed = sum(status in DETECTED for status in counted.values())
    missed = sorted(name for name, status in counted.items() if status not in DETECTED)
    score = 100.0 * killed / len(counted)
    for name in missed:
        print(f"  not killed: {name} ({counted[name]})")
    print(f"mutation score of governance/policy/: {killed} killed of {len(counted)} = "
          f"{score:.1f}% (floor {FLOOR:.0f}%); {len(found)} mutants, of which "
          f"{len(listed) - len(gone)} equivalent ones left out "
          f"(.ci/mutation_equivalent.txt)")
    for name in stale:
        print(f"  listed as equivalent but {found[name]}: {name}; remove it from the list")
    for name in gone:
        print(f"  listed as equivalent but no such mutant: {name}; remove it from the list")
    return 0 if score >= FLOOR and not stale and not gone else 1


if __name__ == "__main__":
    sys.exit(main())
