"""The YAML writer (registry/formats/yaml_emitter.py): whatever it writes, PyYAML reads
back unchanged. Pure functions, tested without a database."""

import datetime as dt

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from registry import formats

from .reference_yaml import to_yaml as reference_yaml

scalars = st.one_of(
    st.text(), st.none(), st.booleans(), st.integers(), st.dates(),
    st.sampled_from(["yes", "No", "null", "~", "1.2.3", "0x1F", "1e3", ".inf", "- item",
                     "key: value", "a #b", "@scope/pkg@1.0.0", "*alias", "&anchor", "!tag",
                     "'quoted'", '"dq"', "%", "[list]", "{map}", "trailing ", " leading",
                     "line\nbreak\n", "para\n", "x\n\n", "\tTab", "2026-01-15", "=", "<<",
                     "ünïcödé — dash", "\x85nel", "\u2028sep"]),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(min_size=1), children, max_size=4)),
    max_leaves=25,
)


def normalise(value):
    """Dates are written as quoted ISO strings, as the template writes them."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(min_size=1), documents, min_size=1, max_size=5))
def test_whatever_the_writer_writes_loads_back_unchanged(document):
    assert yaml.safe_load(formats.to_yaml(document)) == normalise(document)


def test_prose_with_line_breaks_is_written_as_a_readable_block():
    text = formats.to_yaml({"reason": "Too broad.\nNo sandbox.\n"})
    assert text == "reason: |\n  Too broad.\n  No sandbox.\n"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.text(min_size=1), documents, max_size=5), max_size=5))
def test_a_list_written_one_item_at_a_time_is_the_same_text(items):
    """The export writes its approved entries one at a time; the file must not change."""
    assert formats.list_of_mappings("approved", items) == formats.to_yaml({"approved": items})


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(min_size=1), documents, min_size=1, max_size=5))
def test_the_writer_writes_the_bytes_it_wrote_before(document):
    """The export's files and their ETags do not change with the writer's speed-ups."""
    assert formats.to_yaml(document) == reference_yaml(document)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["name", "version", "config", "risk"]),
                                documents, min_size=1, max_size=4), max_size=6))
def test_entries_of_one_shape_written_one_at_a_time_are_the_bytes_written_before(items):
    """Entries of a registry share their keys (the writer makes each key's text once per
    shape) and their values repeat (each written once while its cache holds)."""
    assert formats.list_of_mappings("approved", items) == reference_yaml({"approved": items})
