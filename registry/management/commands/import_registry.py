from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from governance.audit import acting_as, system_user
from governance.errors import ServiceError
from registry import formats, services


class Command(BaseCommand):
    help = "Import a registry YAML (the template's format). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to mcp-registry.yaml, or - for standard input")
        parser.add_argument("--dry-run", action="store_true",
                            help="check the file and say what would change; change nothing")

    def handle(self, *args, file, dry_run, **options):
        try:
            text = self.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{file}: cannot read the file ({exc.strerror})") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file}: the file is not UTF-8 text") from exc
        registry, problems = formats.parse_registry(text)
        if problems:
            for problem in problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(f"{len(problems)} problem(s) in {file}; nothing was imported.")
        actor = system_user()
        try:
            with acting_as(actor):
                counts = services.import_registry(registry=registry, actor=actor,
                                                  dry_run=dry_run)
        except ServiceError as exc:
            for key, messages in exc.errors.items():
                for message in messages:
                    self.stderr.write(f"{file}: {key}: {message}")
            raise CommandError(f"{exc.message} ({file})") from exc
        summary = ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in counts.items())
        prefix = "Dry run, nothing changed. Would import" if dry_run else "Imported"
        self.stdout.write(f"{prefix} {file}: {summary}")
