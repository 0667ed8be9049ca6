import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from approvals import importer
from audit.actors import acting_as, system_user
from governance.errors import ServiceError
from registry import formats


class Command(BaseCommand):
    help = "Import a registry YAML (the template's format). All or nothing."
    stealth_options = ("stdin",)  # call_command(..., stdin=stream) reads "-" from it

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to mcp-registry.yaml, or - for standard input")
        parser.add_argument("--dry-run", action="store_true",
                            help="check the file and say what would change; change nothing")

    def read(self, file: str, limit: int, stdin) -> str:
        """The file's text, refused before it is read whole when it is over `limit` bytes
        (one byte more than the limit is read, whatever the file claims to be)."""
        too_large = CommandError(
            f"{file}: the file is over the import limit of {limit:,} bytes "
            f"(IMPORT_MAX_BYTES); nothing was imported.")
        try:
            if file == "-":
                stream = getattr(stdin, "buffer", stdin)
                data = stream.read(limit + 1)
            else:
                path = Path(file)
                if path.is_file() and path.stat().st_size > limit:
                    raise too_large
                with path.open("rb") as handle:
                    data = handle.read(limit + 1)
        except OSError as exc:
            raise CommandError(f"{file}: cannot read the file ({exc.strerror})") from exc
        size = len(data.encode("utf-8") if isinstance(data, str) else data)
        if size > limit:
            raise too_large
        if isinstance(data, str):
            return data
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file}: the file is not UTF-8 text") from exc

    def handle(self, *args, file, dry_run, **options):
        text = self.read(file, settings.IMPORT_MAX_BYTES, options.get("stdin") or sys.stdin)
        registry, problems = formats.parse_registry(text)
        if problems:
            shown = problems[:settings.IMPORT_MAX_PROBLEMS]
            for problem in shown:
                self.stderr.write(f"{file}: {problem}")
            if len(problems) > len(shown):
                self.stderr.write(f"{file}: ... and {len(problems) - len(shown):,} more "
                                  f"problem(s), not listed (IMPORT_MAX_PROBLEMS)")
            raise CommandError(f"{len(problems)} problem(s) in {file}; nothing was imported.")
        actor = system_user()
        try:
            with acting_as(actor):
                counts = importer.import_registry(registry=registry, actor=actor,
                                                  dry_run=dry_run)
        except ServiceError as exc:
            for key, messages in exc.errors.items():
                for message in messages:
                    self.stderr.write(f"{file}: {key}: {message}")
            raise CommandError(f"{exc.message} ({file})") from exc
        summary = ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in counts.items())
        prefix = "Dry run, nothing changed. Would import" if dry_run else "Imported"
        self.stdout.write(f"{prefix} {file}: {summary}")
