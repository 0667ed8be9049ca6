"""export_registry with 5,000 active approvals: under 2 seconds per format, and a query
count that does not grow with the number of approvals."""

from io import StringIO

from harness import count_queries, report, seed_approvals, setup_django, timed


def main():
    setup_django()
    from django.core.management import call_command

    from registry.services import render_files

    seed_approvals(50, prefix="small")
    small_queries = count_queries(render_files)
    seed_approvals(4950)
    large_queries = count_queries(render_files)
    report("export: queries, 50 vs 5,000 approvals", f"{small_queries} vs {large_queries}",
           "equal", small_queries == large_queries)
    for fmt in ("mcp-registry.yaml", "managed-mcp.json", "managed-settings.json"):
        seconds, _ = timed(lambda fmt=fmt: call_command(
            "export_registry", "--format", fmt, stdout=StringIO()), repeat=3)
        report(f"export_registry --format {fmt} (5,000 approvals)", f"{seconds:.3f} s",
               "< 2 s", seconds < 2)


if __name__ == "__main__":
    main()
