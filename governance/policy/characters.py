"""Hidden characters (SPEC §4 rule 11): nothing a name, an argument or a URL holds may
make it read as something other than what runs."""

from __future__ import annotations

import unicodedata

# Invisible or reordering characters make a name, an argument or a URL show something
# other than what runs: control characters (Cc), format characters (Cf: the bidirectional
# overrides and isolates, zero-width spaces and joiners, the BOM), lone surrogates and the
# Unicode line and paragraph separators. The bidi and zero-width ones are also listed by
# code point, so that the rule holds whatever a later Unicode version calls them.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
BIDI_AND_ZERO_WIDTH = frozenset([*range(0x202A, 0x202F), *range(0x2066, 0x206A),
                                 *range(0x200B, 0x200E), 0x2060, 0xFEFF])
CONTROL_NAMES = {0x00: "NULL", 0x09: "CHARACTER TABULATION", 0x0A: "LINE FEED",
                 0x0D: "CARRIAGE RETURN", 0x1B: "ESCAPE", 0x7F: "DELETE", 0x85: "NEXT LINE"}


def character_name(ch: str) -> str:
    """`U+202E RIGHT-TO-LEFT OVERRIDE`: the code point and its Unicode name."""
    name = unicodedata.name(ch, "") or CONTROL_NAMES.get(ord(ch), "CONTROL CHARACTER")
    return f"U+{ord(ch):04X} {name}"


def character_problem(value) -> str | None:
    """Why `value` may not be shown as it runs (a control, bidirectional-override or
    zero-width character), naming the character; None for text without one."""
    if not isinstance(value, str):
        return None
    for position, ch in enumerate(value, start=1):
        if ord(ch) in BIDI_AND_ZERO_WIDTH or unicodedata.category(ch) in HIDDEN_CATEGORIES:
            return (f"contains {character_name(ch)} (character {position}): control, "
                    "bidirectional-override and zero-width characters can make it read as "
                    "something other than what runs, so they are refused; remove it")
    return None
