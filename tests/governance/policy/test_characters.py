"""SPEC §4 rule 11 (governance.policy.characters): no control, bidirectional or
zero-width character in a name, an argument or a URL."""

import pytest

from governance.policy import characters, configs, names

HIDDEN = [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069,
          0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00, 0x0A, 0x1B, 0x7F, 0x00AD, 0x2028]



@pytest.mark.parametrize("code", HIDDEN, ids=[f"U+{c:04X}" for c in HIDDEN])
def test_control_bidi_and_zero_width_characters_are_refused_by_name(code):
    problem = characters.character_problem(f"@scope/pkg{chr(code)}@1.0.0")
    assert problem and f"U+{code:04X}" in problem and "character 11" in problem



def test_the_message_names_the_character_as_unicode_does():
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in characters.character_problem("abc\u202eexe.js")
    assert "U+0000 NULL" in characters.character_problem("a\x00")



@pytest.mark.parametrize("text", ["ünïcödé — dash", "--allowed-origins https://a.example",
                                  "日本語", "a b", "emoji 🙂", "${DB_PASS}"])
def test_visible_text_in_any_script_passes(text):
    assert characters.character_problem(text) is None



@pytest.mark.parametrize(("config", "field"), [
    ({"command": "np\u200bx", "args": []}, "config.command"),
    ({"command": "npx", "args": ["-y", "@x/y\u202e@1.0.0"]}, "config.args"),
    ({"command": "npx", "args": [], "env": {"DB\u2066_HOST": "replica"}}, "config.env"),
    ({"type": "http", "url": "https://mcp.example.com/m\u200dcp"}, "config.url"),
    ({"type": "http", "url": "https://mcp.example.com/mcp",
      "headers": {"X-Tenant\ufeff": "acme"}}, "config.headers"),
])
def test_a_hidden_character_in_a_config_is_refused_on_its_field(config, field):
    problems = configs.config_problems(config)
    assert field in problems and "U+" in problems[field][0], problems



def test_hidden_characters_are_refused_in_names_sources_and_packages():
    assert "U+202E" in names.name_problem("context7\u202e")
    assert "U+200B" in names.source_problem("https://github.com/x\u200b/y")
    assert "U+2066" in names.package_problem("@context7/mcp\u2066-server")
    assert names.package_problem("@context7/mcp-server") is None


def test_a_control_character_without_a_unicode_name_is_still_named():
    assert characters.character_name("\x01") == "U+0001 CONTROL CHARACTER"
    assert characters.character_name("\x85") == "U+0085 NEXT LINE"


def test_the_message_says_why_and_what_to_do():
    assert characters.character_problem("ab\u200bc") == (
        "contains U+200B ZERO WIDTH SPACE (character 3): control, bidirectional-override and "
        "zero-width characters can make it read as something other than what runs, so they "
        "are refused; remove it")
    assert characters.character_problem(None) is None
