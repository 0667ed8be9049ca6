"""Helpers of the import and export tests: the registry template, and the commands run
as an operator runs them."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command

TEMPLATE = Path(__file__).resolve().parents[2] / "registry" / "data" / "mcp-registry-template.yaml"


def export(fmt):
    out = StringIO()
    call_command("export_registry", "--format", fmt, stdout=out)
    return out.getvalue()


def import_text(tmp_path, text, *args):
    path = tmp_path / "registry.yaml"
    path.write_text(text)
    out, err = StringIO(), StringIO()
    call_command("import_registry", str(path), *args, stdout=out, stderr=err)
    return out.getvalue()
