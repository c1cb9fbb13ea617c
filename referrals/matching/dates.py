"""Dates of birth: the dates a date as given may have been meant as.

A date of birth is mistyped in a few usual ways: day and month swapped, the year one
out, one digit wrong. Blocking looks those dates up; scoring weighs them.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from operator import ne

from django.utils import timezone


def birth_dates(given: date) -> set[date]:
    """The date given, and the same date with day and month swapped."""
    dates = {given}
    if given.day <= 12:  # then the month, as a day, is always a valid day too
        dates.add(given.replace(month=given.day, day=given.month))
    return dates


def years_either_side(given: date) -> set[date]:
    """The same day and month a year before and a year after."""
    dates = set()
    for year in (given.year - 1, given.year + 1):
        with suppress(ValueError):  # 29 February
            dates.add(given.replace(year=year))
    return dates


def near_birth_dates(given: date) -> set[date]:
    """The same day and month a year either side, and every real date one digit away
    (2016 for 2018, 13 for 18) within 20 years and not in the future: about 30 dates."""
    text = given.isoformat()
    dates = years_either_side(given)
    for i, char in enumerate(text):
        if not char.isdigit():
            continue
        for digit in "0123456789":
            if digit != char:
                with suppress(ValueError):
                    dates.add(date.fromisoformat(text[:i] + digit + text[i + 1 :]))
    today = timezone.localdate()
    near = {d for d in dates if abs(d.year - given.year) <= 20 and d <= today}
    return near - birth_dates(given)


def one_digit_apart(given: date, recorded: date) -> bool:
    """Written as YYYY-MM-DD, the two dates differ in exactly one digit."""
    return sum(map(ne, given.isoformat(), recorded.isoformat())) == 1
