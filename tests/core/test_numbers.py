"""core.numbers.whole_number: what a page wrote as a number, read back whatever was done
to it on the way, never a ValueError."""

import pytest

from core.numbers import MOST_DIGITS, whole_number


@pytest.mark.parametrize(
    ("text", "number"),
    [("0", 0), ("7", 7), ("007", 7), ("000", 0), ("9" * MOST_DIGITS, int("9" * MOST_DIGITS))],
)
def test_ascii_digits_are_the_number_they_say(text, number):
    assert whole_number(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "\u00b2",  # superscript two: str.isdigit() says yes, int() says no
        "\u0663",  # Arabic-Indic three: int() reads it, a page never writes it
        "-1",
        "+1",
        " 1",
        "1 ",
        "1_000",
        "1.0",
        "1\x00",
        "9" * (MOST_DIGITS + 1),
        "9" * 5000,  # past int()'s 4,300 digits: a ValueError, once a server error
        None,
    ],
)
def test_anything_else_is_none(text):
    assert whole_number(text) is None


def test_leading_zeros_do_not_count_towards_the_digits():
    assert whole_number("0" * 5000 + "12") == 12
