"""Run every benchmark (benchmarks/*_bench.py), each in its own process and database:
on PostgreSQL when BENCH_DATABASE_URL names one (`make bench` does; it is dropped and made
anew for each script), else on SQLite in a temporary folder.

    python benchmarks/run.py [--approvals N] [--only http,jobs]

--approvals is the registry size of the scripts that take one (http_bench, scale_bench)."""

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZED = {"http_bench", "import_bench", "scale_bench"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--approvals", type=int, default=1000)
    parser.add_argument("--only", default="", help="comma-separated names, as http or jobs")
    args = parser.parse_args()
    only = {f"{name.strip()}_bench" for name in args.only.split(",") if name.strip()}
    failed = []
    for script in sorted(HERE.glob("*_bench.py")):
        if only and script.stem not in only:
            continue
        print(f"\n== {script.stem} ==", flush=True)
        extra = ["--approvals", str(args.approvals)] if script.stem in SIZED else []
        if subprocess.run([sys.executable, str(script), *extra], cwd=HERE).returncode:
            failed.append(script.name)
    if failed:
        print("\nfailed to run: " + ", ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
