"""The names a request gives (governance.policy.names): server name, source, package and
the choices of a closed list."""

import pytest

from governance.policy import names


@pytest.mark.parametrize("name", ["My Server", "Context7", "", "-lead", "a" * 65])
def test_bad_server_names_are_refused(name):
    assert names.name_problem(name) is not None



@pytest.mark.parametrize("source", ["http://github.com/x", "github.com/x", "ftp://x.y", ""])
def test_sources_must_be_https_or_internal(source):
    assert names.source_problem(source) is not None
    assert names.source_problem("internal") is None
    assert names.source_problem("https://github.com/x/y") is None
