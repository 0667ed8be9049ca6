from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registry.models import ExportSnapshot
from registry.services import render_files


class Command(BaseCommand):
    help = ("Write one export file as the registry stands now. The deployable files hold "
            "only approvals that are active and not past their expiry date.")

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=ExportSnapshot.FILES)
        parser.add_argument("--output", help="file to write; standard output without it")

    def handle(self, *args, format, output, **options):
        files, _ = render_files(only=(format,))
        text = files[format]
        if output:
            try:
                Path(output).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"{output}: cannot write ({exc.strerror})") from exc
            self.stderr.write(f"Wrote {format} to {output}")
        else:
            self.stdout.write(text, ending="")
