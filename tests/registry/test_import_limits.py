"""The importer answers any file with a message, never a traceback: a size cap read before
the file is (IMPORT_MAX_BYTES), a bounded list of problems (IMPORT_MAX_PROBLEMS), and no
nesting deeper than INPUT_MAX_DEPTH, no alias bomb, no recursive value, no NUL."""

import time
from io import BytesIO, StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from registry.models import Approval, Server

pytestmark = pytest.mark.django_db

TEMPLATE = Path(__file__).resolve().parents[2] / "registry" / "data" / "mcp-registry-template.yaml"


def run_import(path, **kwargs):
    """(stdout, stderr, the CommandError's message or None)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("import_registry", str(path), stdout=out, stderr=err, **kwargs)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), str(exc)
    return out.getvalue(), err.getvalue(), None


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:  # 100 MB that take no disk: only a read would notice
        handle.truncate(100 * 1024 * 1024)
    started = time.monotonic()
    _, _, error = run_import(path)
    assert error == (f"{path}: the file is over the import limit of 67,108,864 bytes "
                     "(IMPORT_MAX_BYTES); nothing was imported.")
    assert time.monotonic() - started < 5
    assert not Server.objects.exists()


def test_the_size_cap_is_a_setting(tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 1000
    _, _, error = run_import(TEMPLATE)
    assert "over the import limit of 1,000 bytes (IMPORT_MAX_BYTES)" in error
    settings.IMPORT_MAX_BYTES = TEMPLATE.stat().st_size
    _, _, error = run_import(TEMPLATE)
    assert error is None and Approval.objects.count() == 3


def test_standard_input_is_capped_too(settings):
    settings.IMPORT_MAX_BYTES = 1000
    _, _, error = run_import("-", stdin=BytesIO(b"approved: []\n" * 100))
    assert error == ("-: the file is over the import limit of 1,000 bytes "
                     "(IMPORT_MAX_BYTES); nothing was imported.")


def test_standard_input_imports(settings):
    out, _, error = run_import("-", stdin=BytesIO(TEMPLATE.read_bytes()))
    assert error is None and out.startswith("Imported -:")
    assert Approval.objects.count() == 3


def test_the_list_of_problems_is_bounded(tmp_path):
    entries = "".join(f"  - name: Bad Name {i}\n" for i in range(150))
    path = tmp_path / "bad.yaml"
    path.write_text(TEMPLATE.read_text().replace("approved:\n", "approved:\n" + entries, 1))
    _, err, error = run_import(path)
    lines = err.splitlines()
    total = int(error.split(" ")[0])
    assert total > 1000 and error == f"{total} problem(s) in {path}; nothing was imported."
    assert len(lines) == 101
    assert lines[0].startswith(f"{path}: approved[0] (Bad Name 0).")
    assert lines[-1] == (f"{path}: ... and {total - 100:,} more problem(s), not listed "
                         "(IMPORT_MAX_PROBLEMS)")
    assert not Server.objects.exists()


def test_a_short_list_of_problems_is_listed_whole(tmp_path, settings):
    settings.IMPORT_MAX_PROBLEMS = 2
    text = TEMPLATE.read_text().replace('version: "1.2.3"', 'version: "latest"').replace(
        'version: "0.6.2"', 'version: "*"')
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    _, err, error = run_import(path)
    assert len(err.splitlines()) == 2 and "more problem" not in err
    assert error.startswith("2 problem(s)")


DEEP = {
    "flow, 1,000 deep": "approved: " + "[" * 1000 + "]" * 1000 + "\n",
    "flow, 100,000 deep": "approved: " + "[" * 100_000 + "]" * 100_000 + "\n",
    "flow, unclosed": "approved: " + "[" * 5000 + "\n",
    "block, 1,000 deep": "".join("  " * i + "k:\n" for i in range(1000)) + "  " * 1000 + "x: 1\n",
    "in a config": TEMPLATE.read_text().replace(
        'DB_USER: "claude_readonly"', "DB_USER: " + "[" * 40 + "]" * 40),
}


@pytest.mark.parametrize("case", list(DEEP))
def test_deep_nesting_is_refused_with_a_message(tmp_path, case):
    path = tmp_path / "deep.yaml"
    path.write_text(DEEP[case])
    _, err, error = run_import(path)
    assert error == f"1 problem(s) in {path}; nothing was imported."
    assert "the document is nested deeper than 32 levels (INPUT_MAX_DEPTH)" in err, err
    assert err.startswith(f"{path}: line ")
    assert not Server.objects.exists()


def test_the_depth_limit_is_a_setting(settings):
    settings.INPUT_MAX_DEPTH = 3  # the template nests 5 deep (approved, entry, config, env)
    _, err, error = run_import(TEMPLATE)
    assert "nested deeper than 3 levels" in err and error


def test_an_alias_bomb_is_refused(tmp_path):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\napproved: *a9\n")
    started = time.monotonic()
    _, err, error = run_import(path)
    assert "expands to more than 1,000,000 values through its aliases" in err and error
    assert time.monotonic() - started < 10


def test_aliases_that_expand_modestly_still_import(tmp_path):
    text = TEMPLATE.read_text()
    rules = ('    restrictions:\n      - "Read-only database user only (no INSERT/UPDATE/DELETE)"\n'
             '      - "No access to: users, payments, audit_log, sessions tables"\n'
             '      - "Only connect to readonly replica, never primary"\n')
    assert rules in text
    text = text.replace(rules, "    restrictions: *rules\n").replace(
        '    rationale: "Local reasoning only.',
        '    restrictions: &rules ["Scratch files only"]\n    rationale: "Local reasoning only.')
    path = tmp_path / "aliases.yaml"
    path.write_text(text)
    _, err, error = run_import(path)
    assert error is None, err
    assert Approval.objects.get(server__name="internal-db-readonly").restrictions == [
        "Scratch files only"]


def test_a_recursive_value_is_refused(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text(TEMPLATE.read_text().replace(
        'DB_USER: "claude_readonly"', "DB_USER: &loop [*loop]"))
    _, err, error = run_import(path)
    assert "*loop refers to a collection that contains it" in err and error


def test_a_nul_character_is_refused_where_it_is(tmp_path):
    text = TEMPLATE.read_text()
    assert "    reason: >\n      Full browser" in text
    path = tmp_path / "nul.yaml"
    path.write_text(text.replace("    reason: >\n      Full browser",
                                 '    reason: "\\0"\n    notes: >\n      Full browser', 1))
    _, err, error = run_import(path)
    assert "denied[0].reason: contains a NUL character" in err, err
    assert not Server.objects.exists()


def test_a_syntax_error_keeps_the_words_of_the_pure_python_parser(tmp_path):
    text = "approved: [\n  - name: x\n"
    try:
        yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark, problem = exc.problem_mark, exc.problem
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    _, err, _ = run_import(path)
    assert err == (f"{path}: line {mark.line + 1}, column {mark.column + 1}: the file is not "
                   f"valid YAML ({problem})\n")


def test_the_alias_cap_grows_with_the_file_but_not_with_its_aliases():
    """A large file may hold as many values as its text writes out; aliases may not make a
    small one stand for more than a million."""
    from registry.formats.yaml_loading import MAX_VALUES, load_yaml

    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 10)}]\n"
        for n in range(6))
    document, problem = load_yaml(bomb, 32)
    assert document is None and f"more than {MAX_VALUES:,} values" in problem
    big = "approved:\n" + "".join(f"  - name: s{n}\n    risk: LOW\n" for n in range(400_000))
    document, problem = load_yaml(big, 32)
    assert problem is None and len(document["approved"]) == 400_000
