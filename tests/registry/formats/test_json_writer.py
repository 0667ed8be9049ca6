"""Claude Code's files are written by formats.dump_json, which must write exactly what
json.dumps(indent=2, ensure_ascii=False) writes: the files' bytes and ETags stay the same."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from registry import formats

scalars = st.one_of(st.text(), st.none(), st.booleans(), st.integers(),
                    st.floats(allow_nan=False), st.sampled_from(["ünïcödé", "\u2028", "\x00"]))
documents = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(), children, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(), documents, max_size=5))
def test_the_json_files_are_written_as_json_dumps_writes_them(document):
    assert formats.dump_json(document) == json.dumps(
        document, indent=2, ensure_ascii=False) + "\n"


def test_a_key_that_is_not_a_string_is_written_as_json_writes_it():
    document = {"mcpServers": {1: [True, None], "x": {}}}
    assert formats.dump_json(document) == json.dumps(
        document, indent=2, ensure_ascii=False) + "\n"
