"""core.text.clean_text: control, bidirectional-override and zero-width characters are
stripped from names and text; line breaks and tabs stay in multi-line text only."""

import pytest

from core.text import clean_text


def _characters(first: int, last: int) -> list[str]:
    return [chr(code) for code in range(first, last + 1)]


C0_BUT_TAB_LF_CR = [c for c in _characters(0x00, 0x1F) if c not in "\t\n\r"]
DEL_AND_C1 = _characters(0x7F, 0x9F)
BIDI_OVERRIDES = _characters(0x202A, 0x202E)
BIDI_ISOLATES = _characters(0x2066, 0x2069)
ZERO_WIDTH_AND_MARKS = _characters(0x200B, 0x200F)
OTHER_INVISIBLE = ["\ufeff", "\u061c", *_characters(0x2060, 0x2064)]
CLASSES = {
    "C0 controls": C0_BUT_TAB_LF_CR,
    "DEL and C1 controls": DEL_AND_C1,
    "bidi embeddings and overrides": BIDI_OVERRIDES,
    "bidi isolates": BIDI_ISOLATES,
    "zero-width characters and directional marks": ZERO_WIDTH_AND_MARKS,
    "byte order mark, Arabic letter mark, word joiner": OTHER_INVISIBLE,
}
EVERY_STRIPPED = [
    pytest.param(char, id=f"{name}: U+{ord(char):04X}")
    for name, chars in CLASSES.items()
    for char in chars
]


@pytest.mark.parametrize("char", EVERY_STRIPPED)
@pytest.mark.parametrize("multiline", [False, True], ids=["one line", "multi-line"])
def test_each_control_and_invisible_character_is_stripped(char, multiline):
    assert clean_text(f"Ava{char} Test{char}field", multiline=multiline) == "Ava Testfield"


def test_a_right_to_left_override_no_longer_disguises_a_name():
    # "\u202eSmith" shows as "htimS"; stored, it would not match "Smith" either.
    assert clean_text("\u202eSmith\u202c") == "Smith"
    assert clean_text("Jo\u200bhn") == "John"


def test_multi_line_text_keeps_line_breaks_and_tabs():
    text = "First line\n\tIndented\n\nAfter a blank line"

    assert clean_text(text, multiline=True) == text


def test_windows_and_old_mac_line_endings_become_one_newline():
    assert clean_text("one\r\ntwo\rthree", multiline=True) == "one\ntwo\nthree"
    assert clean_text("one\u2028two\u2029three", multiline=True) == "one\ntwo\nthree"


def test_a_line_break_or_tab_in_one_line_text_becomes_a_space():
    assert clean_text("Ava\nTest\tfield\r\nJones") == "Ava Test field Jones"


@pytest.mark.parametrize(
    "text",
    [
        "Zoë O'Brien-Smith",
        "José Nuñez",
        "Małgorzata Wójcik",
        "محمد",  # Arabic: right-to-left by its letters, not by a control
        "שרה",
        "李小龍",
        "Aoife Ní Bhriain",
        "😀 emoji and symbols: £ € ©",
    ],
)
def test_ordinary_letters_accents_and_scripts_are_untouched(text):
    assert clean_text(text) == text
    assert clean_text(text, multiline=True) == text


def test_empty_values_stay_as_they_are():
    assert clean_text("") == ""
