"""The hook (standard library only, copied onto machines) and the portal write server and
tool names as Claude Code does, with one rule: the deny rules the portal exports and the
names the hook compares must agree."""

import importlib.util
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from governance.policy import tools

HOOK = Path(__file__).resolve().parents[2] / "client" / "mcp_governance_hook.py"


def _hook():
    spec = importlib.util.spec_from_file_location("hook_for_names", HOOK)
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    return hook


HOOK_MODULE = _hook()


@settings(derandomize=True, max_examples=300)
@given(st.text(max_size=40))
def test_the_portal_and_the_hook_normalise_names_alike(name):
    normalised = tools.client_name(name)
    assert normalised == HOOK_MODULE.normalise(name)
    assert len(normalised) == len(name)
    assert all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in normalised)


def test_the_hook_finds_an_excluded_tool_by_the_name_claude_code_gives_it():
    result = {"verdict": "approved", "excluded_tools": ["rows.drop", "delete_repository"]}
    assert HOOK_MODULE.excluded_tool(result, "rows_drop") == "rows.drop"
    assert HOOK_MODULE.excluded_tool(result, "delete_repository") == "delete_repository"
    assert HOOK_MODULE.excluded_tool(result, "rows_dropx") == ""
    assert HOOK_MODULE.excluded_tool({"verdict": "approved"}, "rows_drop") == ""
    assert HOOK_MODULE.excluded_tool(None, "rows_drop") == ""
