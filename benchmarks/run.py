"""Run every benchmark (benchmarks/*_bench.py), each in its own process and database."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main():
    failed = []
    for script in sorted(HERE.glob("*_bench.py")):
        print(f"\n== {script.stem} ==", flush=True)
        if subprocess.run([sys.executable, str(script)], cwd=HERE).returncode:
            failed.append(script.name)
    if failed:
        print("\nfailed to run: " + ", ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
