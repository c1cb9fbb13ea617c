"""Reading a whole number that a page wrote into a form or an address and a person (or
an attacker) may have changed: a child's position in a draft, an action's id, the
referral a page came from."""

from __future__ import annotations

# Past this many digits (leading zeros aside) a number names nothing here: the largest
# id a 64-bit column holds has 19 digits. int() itself refuses more than 4,300 digits
# with a ValueError, which was a server error wherever the digits had been checked first.
MOST_DIGITS = 18


def whole_number(text: str, *, most_digits: int = MOST_DIGITS) -> int | None:
    """``text`` as a whole number, or None: ASCII digits only (not "²" or "٣", which
    str.isdigit() accepts, nor a sign, spaces or "1_000", which int() accepts), and no
    more than ``most_digits`` of them once leading zeros are left aside."""
    if not (isinstance(text, str) and text.isascii() and text.isdigit()):
        return None
    digits = text.lstrip("0") or "0"
    if len(digits) > most_digits:
        return None
    return int(digits)
