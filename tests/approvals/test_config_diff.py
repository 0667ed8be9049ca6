"""A bump or a resubmitted request shows its config beside the one it changes, with added
and removed args and env names marked."""

import pytest

from approvals import services as workflow
from approvals.config_diff import ADDED, BLANK, CHANGED, REMOVED, SAME, side_by_side
from tests.factories import stdio_config


def states(lines):
    return [(line.text, line.state) for line in lines]


def test_added_and_removed_args_and_env_names_are_marked_and_kept_level():
    old = {"command": "npx", "args": ["-y", "@a/b@1.2.3", "--verbose"],
           "env": {"OLD_NAME": "${OLD}", "REGION": "${REGION}"}}
    new = {"command": "npx", "args": ["-y", "@a/b@1.3.0", "--read-only", "--verbose"],
           "env": {"NEW_NAME": "${NEW}", "REGION": "${REGION}"}}
    rows = {row.key: row for row in side_by_side(old, new)}
    assert list(rows) == ["command", "args", "env"]
    assert not rows["command"].changed
    assert states(rows["args"].left) == [("-y", SAME), ("@a/b@1.2.3", REMOVED), ("", BLANK),
                                         ("--verbose", SAME)]
    assert states(rows["args"].right) == [("-y", SAME), ("@a/b@1.3.0", ADDED),
                                          ("--read-only", ADDED), ("--verbose", SAME)]
    assert states(rows["env"].left) == [("", BLANK), ("OLD_NAME=${OLD}", REMOVED),
                                        ("REGION=${REGION}", SAME)]
    assert states(rows["env"].right) == [("NEW_NAME=${NEW}", ADDED), ("", BLANK),
                                         ("REGION=${REGION}", SAME)]


def test_a_key_only_one_side_has_and_a_changed_value():
    rows = {r.key: r for r in side_by_side({"command": "npx", "cwd": "/a"},
                                           {"command": "uvx", "url": "https://x.example"})}
    assert states(rows["command"].left) == [("npx", CHANGED)]
    assert states(rows["url"].right) == [("https://x.example", ADDED)]
    assert states(rows["cwd"].left) == [("/a", REMOVED)]


@pytest.mark.django_db
def test_a_bump_page_shows_its_config_against_the_approved_one(client_for, developer,
                                                               active_approval, file):
    config = stdio_config("@context7/mcp-server", "1.3.0")
    config["args"].append("--read-only")
    bump = file(kind="version_bump", version="1.3.0", config=config)
    html = client_for(developer).get(f"/requests/{bump.pk}/").content.decode()
    assert "Against the approved 1.2.3" in html
    assert '<ins><span class="visually-hidden">added: </span>--read-only</ins>' in html
    assert ('<del><span class="visually-hidden">removed: </span>@context7/mcp-server@1.2.3'
            '</del>') in html


@pytest.mark.django_db
def test_a_resubmitted_request_shows_what_its_last_edit_changed(client_for, developer, file,
                                                                security):
    request = file(config={**stdio_config("@context7/mcp-server", "1.2.3"),
                           "env": {"TOKEN": "${CONTEXT7_TOKEN}", "REGION": "eu-west-1"}})
    workflow.transition(actor=security, request=request, status="needs_info")
    workflow.resubmit(actor=developer, request=request, config={
        "command": "npx", "args": ["-y", "@context7/mcp-server@1.2.3", "--read-only"],
        "env": {"TOKEN": "${CONTEXT7_TOKEN}", "REGION": "eu-west-1"}})
    html = client_for(security).get(f"/requests/{request.pk}/").content.decode()
    assert "Since the last edit" in html
    assert '<ins><span class="visually-hidden">added: </span>--read-only</ins>' in html
    assert "eu-west-1" not in html.split("Since the last edit")[1]  # masked on both sides
    assert "changed from" not in html  # REGION's masked value is the same on both sides
