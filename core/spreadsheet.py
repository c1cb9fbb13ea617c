"""Cells for CSV files that people open in a spreadsheet."""

from __future__ import annotations

# What a spreadsheet reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell a spreadsheet shows as text and never runs: text starting with = + - @ (or
    a tab or carriage return) gets a leading apostrophe; None is empty."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
