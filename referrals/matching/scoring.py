"""Scoring: weighted evidence from every detail given, with the reasons in plain English.

In Python, over at most a few hundred candidates from blocking. docs/matching.md
explains the weights.
"""

from __future__ import annotations

from datetime import date

from referrals.matching.dates import one_digit_apart
from referrals.matching.names import (
    UNBORN,
    name_similarity,
    normalise_name,
    other_names,
    similarities,
    variants_of,
)
from referrals.matching.query import Query, Row
from referrals.validation import normalise_postcode

# --- Weights: each detail's contribution to a score between 0 and 1 --------------------
#
# All four main details agreeing exactly adds up to 1.0; an exact NHS number alone is
# 1.0. Disagreement on a detail both sides hold counts against a candidate, so that
# sharing a birthday with a stranger is not a match.
W_DATE_OF_BIRTH = 0.35
W_DATE_OF_BIRTH_SWAPPED = 0.20
W_DATE_OF_BIRTH_NEAR = 0.10  # same day and month a year out, or one digit different
W_LAST_NAME = 0.30
W_FIRST_NAME = 0.20
W_POSTCODE = 0.15
PENALTY_DATE_OF_BIRTH_DIFFERS = 0.15
PENALTY_NAME_DIFFERS = 0.10
PENALTY_NHS_NUMBER_DIFFERS = 0.40

# Share of a name's weight for the weaker kinds of name agreement.
VARIANT_SHARE = 0.85  # Katie for Catherine
OTHER_NAME_SHARE = 0.80  # the name given is one of the child's other recorded names
SWAPPED_NAMES_SHARE = 0.80  # first and last names the wrong way round

# Name similarity (Jaro-Winkler, 0 to 1): at or above SIMILAR it is a near miss, below
# DIFFERENT a different name.
SIMILAR = 0.80
DIFFERENT = 0.60

# Suggestions scoring under MIN_SCORE are not shown. When the details given could not
# reach it even if they all agreed (a postcode alone can only reach 0.15), the bar is
# half of what they could reach instead, so that a search by postcode alone still lists
# the children known at that postcode.
MIN_SCORE = 0.30


def threshold(query: Query) -> float:
    """The score a candidate needs to be shown for this query."""
    return min(MIN_SCORE, _best_possible(query) / 2)


def _best_possible(query: Query) -> float:
    if query.nhs_number:
        return 1.0
    return (
        (W_FIRST_NAME if query.first else 0)
        + (W_LAST_NAME if query.last else 0)
        + (W_DATE_OF_BIRTH if query.date_of_birth else 0)
        + (W_POSTCODE if query.postcode else 0)
    )


def score(query: Query, row: Row) -> tuple[float, list[str]]:
    """How likely the candidate is the child described, 0 to 1, and why."""
    return Scorer(query)(row)


_NO_OTHER_NAMES: frozenset[str] = frozenset()


class Scorer:
    """``score`` for one query, called for each of a search's few hundred candidates:
    what depends on the query alone (its names without spaces, the first name's known
    variants, whether its names can be swapped) is worked out once."""

    __slots__ = ("first_compact", "first_variants", "last_compact", "query", "swaps")

    def __init__(self, query: Query):
        self.query = query
        self.first_compact = query.first.replace(" ", "")
        self.last_compact = query.last.replace(" ", "")
        self.first_variants = variants_of(query.first)
        self.swaps = bool(query.first and query.last and query.first != query.last)

    def __call__(self, row: Row) -> tuple[float, list[str]]:
        query = self.query
        first, last = _recorded_first(row), normalise_name(row.last_name)
        first_similarity = name_similarity(query.first, first) if query.first and first else 0.0
        last_similarity = name_similarity(query.last, last) if query.last and last else 0.0
        return self._score(row, first, last, first_similarity, last_similarity)

    def all(self, rows: list[Row]) -> list[tuple[float, list[str], Row]]:
        """Each candidate's score and reasons, and the candidate: the names'
        similarities to the query's worked out for all of them at once
        (``names.similarities``)."""
        query = self.query
        # normalise_name, with its commonest case (plain letters: only lower-cased) here:
        # a search normalises some 700 names, mostly new to its cache.
        firsts = [
            name.lower() if name.isascii() and name.isalpha() else normalise_name(name)
            for name in [row.first_name for row in rows]
        ]
        firsts = ["" if first == UNBORN else first for first in firsts]
        lasts = [
            name.lower() if name.isascii() and name.isalpha() else normalise_name(name)
            for name in [row.last_name for row in rows]
        ]
        unread = [0.0] * len(rows)  # no name given: no similarity is read
        first_similarities = similarities(query.first, firsts) if query.first else unread
        last_similarities = similarities(query.last, lasts) if query.last else unread
        return [
            (*self._score(row, first, last, first_similarity, last_similarity), row)
            for row, first, last, first_similarity, last_similarity in zip(
                rows, firsts, lasts, first_similarities, last_similarities, strict=True
            )
        ]

    def _score(
        self,
        row: Row,
        recorded_first: str,
        recorded_last: str,
        first_similarity: float,
        last_similarity: float,
    ) -> tuple[float, list[str]]:
        """The score, given the candidate's names normalised and their similarities to
        the query's (which only a name both sides hold is read for)."""
        query = self.query
        points, reasons = 0.0, []
        nhs_matches = False
        if query.nhs_number:
            if query.nhs_number == row.nhs_number:
                nhs_matches = True
                reasons.append("NHS number matches")
            elif row.nhs_number:
                points -= PENALTY_NHS_NUMBER_DIFFERS
                reasons.append("NHS number is different")
        if query.date_of_birth and row.date_of_birth:
            value, reason = _date_of_birth_evidence(query.date_of_birth, row.date_of_birth)
            points += value
            if reason:
                reasons.append(reason)
        others = other_names(row.other_names) if row.other_names else _NO_OTHER_NAMES
        first = _name_evidence(
            "First name",
            query.first_name,
            query.first,
            self.first_compact,
            row.first_name,
            recorded_first,
            others,
            first_similarity,
            weight=W_FIRST_NAME,
            variants=self.first_variants,
        )
        last = _name_evidence(
            "Last name",
            query.last_name,
            query.last,
            self.last_compact,
            row.last_name,
            recorded_last,
            others,
            last_similarity,
            weight=W_LAST_NAME,
            variants=None,
        )
        swapped = (W_FIRST_NAME + W_LAST_NAME) * SWAPPED_NAMES_SHARE
        if (
            self.swaps
            and self.first_compact == recorded_last.replace(" ", "")
            and self.last_compact == recorded_first.replace(" ", "")
            and swapped > first[0] + last[0]
        ):
            points += swapped
            given = f"{query.first_name} {query.last_name}"
            recorded = f"{row.first_name} {row.last_name}"
            reasons.append(f"First and last names swapped ({given} / {recorded})")
        else:
            for value, reason in (first, last):
                points += value
                if reason:
                    reasons.append(reason)
        if query.postcode and (
            row.postcode == query.postcode or normalise_postcode(row.postcode) == query.postcode
        ):
            points += W_POSTCODE
            reasons.append("Postcode matches")
        total = 1.0 if nhs_matches else min(max(points, 0.0), 1.0)
        return total, reasons


def _recorded_first(row: Row) -> str:
    first = normalise_name(row.first_name)
    return "" if first == UNBORN else first  # since born and named: it says nothing


def _date_of_birth_evidence(given: date | None, recorded: date | None):
    if not given or not recorded:
        return 0.0, None
    if given == recorded:
        return W_DATE_OF_BIRTH, "Date of birth matches"
    # What dates.birth_dates and dates.years_either_side hold, without making the sets
    # for every candidate.
    if (
        recorded.year == given.year
        and given.day <= 12
        and (recorded.month, recorded.day) == (given.day, given.month)
    ):
        return W_DATE_OF_BIRTH_SWAPPED, "Date of birth matches with day and month swapped"
    if (recorded.month, recorded.day) == (given.month, given.day) and abs(
        recorded.year - given.year
    ) == 1:
        return W_DATE_OF_BIRTH_NEAR, "Date of birth matches except the year, one year out"
    if one_digit_apart(given, recorded):
        return W_DATE_OF_BIRTH_NEAR, "Date of birth differs by one digit"
    return -PENALTY_DATE_OF_BIRTH_DIFFERS, None


def _name_evidence(
    label: str,
    given: str,
    normalised: str,
    compact: str,
    recorded: str,
    recorded_normalised: str,
    others: frozenset[str],
    similarity: float,
    *,
    weight: float,
    variants: frozenset[str] | None,
) -> tuple[float, str | None]:
    """One name's evidence. ``compact``: ``normalised`` without spaces; ``similarity``:
    ``name_similarity(normalised, recorded_normalised)``; ``variants``: its known
    variants (itself included), or None for a name that has none (a last name)."""
    if not normalised or not recorded_normalised:
        return 0.0, None
    if similarity == 1.0:
        return weight, f"{label} matches"
    if variants is not None and recorded_normalised in variants:
        return weight * VARIANT_SHARE, f"{label} is a known variant ({given} / {recorded})"
    if compact in others and similarity < OTHER_NAME_SHARE:
        return weight * OTHER_NAME_SHARE, f"{label} matches another name recorded ({given})"
    if similarity >= SIMILAR:
        return weight * similarity, f"{label} similar ({given} / {recorded})"
    if similarity < DIFFERENT:
        return -PENALTY_NAME_DIFFERS, None
    return 0.0, None
