"""Tool-level approval (governance.policy.tools): which tool names an approval may exclude,
how exclusions carry over to the approval that supersedes it, and the Claude Code deny
rules they become."""

import pytest

from governance.policy import tools


@pytest.mark.parametrize("names", [["delete_repository"], ["repo.delete", "a-b_C9"],
                                   ["x" * 128], [], None])
def test_mcp_tool_names_are_accepted(names):
    assert tools.excluded_tools_problems(names) == []


@pytest.mark.parametrize(("names", "problem"), [
    (["delete repo"], "'delete repo' is not a tool name: use 1 to 128 characters: ASCII "
                      "letters, digits, underscores, dashes and dots (the MCP "
                      "specification's tool names)"),
    (["x" * 129], "is not a tool name"),
    (["ok", "   "], "item 2 is empty: give a tool name"),
    (["ok", 7], "item 2 must be a tool name, not int"),
    ("delete_repository", "must be a list of tool names, not str"),
    (["löschen"], "'löschen' is not a tool name"),
    (["mcp__x/y"], "'mcp__x/y' is not a tool name"),
])
def test_a_bad_tool_name_is_refused_saying_the_rule(names, problem):
    found = tools.excluded_tools_problems(names)
    assert len(found) == 1
    assert problem in found[0]


def test_a_long_bad_name_is_quoted_cut_short():
    (problem,) = tools.excluded_tools_problems(["x" * 139 + "!" + "y" * 500])
    assert problem.startswith("'" + "x" * 139 + "!' is not a tool name")


def test_the_limits_are_those_the_docs_state():
    assert (tools.MAX_EXCLUDED, tools.TOOL_NAME.pattern) == (200, r"^[A-Za-z0-9_.-]{1,128}$")


def test_the_count_is_bounded_after_duplicates_are_dropped():
    many = [f"tool_{n}" for n in range(tools.MAX_EXCLUDED)]
    assert tools.excluded_tools_problems(many + many) == []
    assert tools.excluded_tools_problems([*many, "one_more"]) == [
        f"at most {tools.MAX_EXCLUDED} tools can be excluded from one approval"]


def test_clean_strips_drops_duplicates_and_sorts():
    assert tools.clean_excluded_tools([" push ", "delete", "push", "", 3]) == ["delete", "push"]
    assert tools.clean_excluded_tools(None) == []


def test_names_typed_one_a_line_or_with_commas():
    assert tools.split_names("delete_repository\r\n push_files, fork ,x\n\n") == [
        "delete_repository", "push_files", "fork", "x"]
    assert tools.split_names("delete repository") == ["delete repository"]
    assert tools.split_names("") == []


def test_a_bump_keeps_the_exclusions_of_the_approval_it_supersedes():
    assert tools.carried_exclusions(base_excluded=["delete_repository"]) == [
        "delete_repository"]
    assert tools.carried_exclusions(base_excluded=["b"], proposed=["a", "b"]) == ["a", "b"]
    assert tools.carried_exclusions(base_excluded=()) == []


def test_a_new_tool_is_excluded_until_approved_where_both_tool_lists_are_known():
    carried = tools.carried_exclusions(
        base_excluded=["delete_repository"], base_offered=["get_issue", "delete_repository"],
        offered=["get_issue", "delete_repository", "merge_pull_request"])
    assert carried == ["delete_repository", "merge_pull_request"]
    # Without the new version's list (no inspection yet) only the old exclusions carry.
    assert tools.carried_exclusions(base_excluded=["d"], base_offered=["a"]) == ["d"]
    assert tools.carried_exclusions(base_excluded=["d"], offered=["a", "b"]) == ["d"]


def test_lifted_names_the_exclusions_that_went():
    assert tools.lifted(["a", "b"], ["b", "c"]) == ["a"]
    assert tools.lifted(["a"], ["a", "b"]) == []


def test_deny_rules_use_the_names_claude_code_gives_server_and_tool():
    assert tools.deny_rule("github", "delete_repository") == "mcp__github__delete_repository"
    assert tools.deny_rule("acme.db", "rows.drop") == "mcp__acme_db__rows_drop"
    assert tools.deny_rules({"github": ["push", "delete_repository", "push"],
                             "acme.db": ["drop"]}) == [
        "mcp__acme_db__drop", "mcp__github__delete_repository", "mcp__github__push"]


def test_merged_deny_keeps_the_rules_there_first_and_adds_each_new_rule_once():
    assert tools.merged_deny(["Bash(curl:*)", "mcp__github__push"],
                             ["mcp__github__delete_repository", "mcp__github__push"]) == [
        "Bash(curl:*)", "mcp__github__push", "mcp__github__delete_repository"]
    assert tools.merged_deny(None, ["mcp__a__b"]) == ["mcp__a__b"]
