"""Cleaning what people type: the one rule for invisible and control characters.

Names and text reach Front Door from the web form, the referral drafts and the API; each
passes its input through ``clean_text`` before anything checks or stores it. Stripped:

- bidirectional controls: embeddings and overrides U+202A-U+202E (U+202E, the
  right-to-left override, makes "Smith" look like another name), isolates
  U+2066-U+2069, and the marks U+061C, U+200E, U+200F;
- zero-width and invisible characters: U+200B-U+200D, U+2060-U+2064 and U+FEFF (a byte
  order mark pasted from another document), which make two names that look the same
  compare different (and so defeat matching and search);
- C0 controls U+0000-U+001F (NUL cannot be stored in PostgreSQL at all), DEL U+007F and
  the C1 controls U+0080-U+009F.

Stripped rather than refused: they are invisible, so a person told to remove one could
not see what to remove, and they carry no meaning in a name or a note. The cost: the
zero-width non-joiner (U+200C) that some Persian and Indic spellings use is removed too,
which changes how the letters join on screen but not which letters they are.

Multi-line text (a textarea) keeps its line breaks and tabs: CR LF and a lone CR become
LF, and U+2028/U+2029 (line and paragraph separators) become LF. In one-line text (a
name, a phone number) a line break or tab becomes a space.

Pure (no Django): the forms (``referrals.form_mixins.GovukFormMixin``), the API serializers
(``referrals.serializer_mixins.CleanTextMixin``) and the drafts (``referrals.drafts``) all call
it.
"""

from __future__ import annotations

import re

# Always removed, in every kind of text.
_INVISIBLE = (
    "\u0000-\u0008\u000b\u000c\u000e-\u001f"  # C0 controls but TAB, LF and CR
    "\u007f-\u009f"  # DEL and the C1 controls
    "\u061c"  # Arabic letter mark
    "\u200b-\u200f"  # zero-width space, non-joiner, joiner; LRM, RLM
    "\u202a-\u202e"  # bidi embeddings and overrides
    "\u2060-\u2064"  # word joiner and invisible operators
    "\u2066-\u2069"  # bidi isolates
    "\ufeff"  # zero-width no-break space (byte order mark)
)
_STRIP = re.compile(f"[{_INVISIBLE}]")
_LINE_BREAK = re.compile("\r\n?|[\u2028\u2029]")
_ONE_LINE_SPACE = re.compile("[\t\n]")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` without control, bidirectional-override or zero-width characters."""
    if not value:
        return value
    text = _LINE_BREAK.sub("\n", value)
    text = _STRIP.sub("", text)
    if not multiline:
        text = _ONE_LINE_SPACE.sub(" ", text)
    return text


# Python's whitespace: what ``str.strip()`` and ``str.split()`` (so DRF's trimming and
# every count of words) treat as space.
_WHITESPACE = "\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def _escaped(characters: str) -> str:
    """A character class body written with \\uXXXX escapes, which JSON Schema (ECMA)
    engines and Python's ``re`` read alike."""
    return "".join(c if c == "-" else f"\\u{ord(c):04x}" for c in characters)


# Character class bodies, for patterns that must read text as the cleaning leaves it.
WHITESPACE_CLASS = _escaped(_WHITESPACE)
INVISIBLE_CLASS = _escaped(_INVISIBLE)
# A regular expression (for search) that text matches when it is not blank once
# cleaned and trimmed: it holds a character that is neither space nor stripped.
NOT_BLANK_PATTERN = f"[^{WHITESPACE_CLASS}{INVISIBLE_CLASS}]"
