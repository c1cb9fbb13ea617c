"""Child matching's shortcuts (issue 14) give what the longer ways gave.

Scoring runs for a few hundred candidates a search, so its commonest cases take a
shortcut: a name of plain letters is only lower-cased, a single name is compared once,
and a date of birth is checked against the swapped and year-out dates without making
sets for every candidate. The near-dates block ranks a few thousand children by name in
Python (numpy and rapidfuzz) rather than with pg_trgm. Each is checked here against the
way written out in full.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from referrals.matching import blocking, jaro_winkler
from referrals.matching.dates import birth_dates, one_digit_apart, years_either_side
from referrals.matching.names import name_similarity, normalise_name, variants_of
from referrals.matching.query import Query
from referrals.matching.scoring import (
    PENALTY_DATE_OF_BIRTH_DIFFERS,
    W_DATE_OF_BIRTH,
    W_DATE_OF_BIRTH_NEAR,
    W_DATE_OF_BIRTH_SWAPPED,
    _date_of_birth_evidence,
)
from referrals.models import Child

MANY = settings(max_examples=300, deadline=None)


def reference_normalise(value: str) -> str:
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"['’`]", "", text)
    return re.sub(r"[\W_]+", " ", text).strip()


@MANY
@given(st.text(max_size=30) | st.from_regex(r"[A-Za-z]{1,20}", fullmatch=True))
@example("ẞtraße")  # casefold and lower differ, and it is not ASCII
@example("İlkay")
@example("O'Brien-Smith")
def test_normalising_a_name_is_the_full_way(value):
    normalise_name.cache_clear()
    assert normalise_name(value) == reference_normalise(value)


def reference_similarity(a: str, b: str) -> float:
    compact_a, compact_b = a.replace(" ", ""), b.replace(" ", "")
    if compact_a == compact_b:
        return 1.0
    best = max(jaro_winkler(a, b), jaro_winkler(compact_a, compact_b))
    parts_a, parts_b = set(a.split()), set(b.split())
    if (len(parts_a) > 1 or len(parts_b) > 1) and parts_a & parts_b:
        best = max(best, 0.9)
    return best


NAMES = st.from_regex(r"[a-z]{0,12}( [a-z]{1,8})?", fullmatch=True)


@MANY
@given(NAMES, NAMES)
@example("smith", "smith")
@example("", "")
@example("smith jones", "smith")
def test_name_similarity_is_the_full_way(a, b):
    name_similarity.cache_clear()
    assert name_similarity(a, b) == reference_similarity(a, b)


def reference_date_evidence(given: date, recorded: date):
    if given == recorded:
        return W_DATE_OF_BIRTH, "Date of birth matches"
    if recorded in birth_dates(given):
        return W_DATE_OF_BIRTH_SWAPPED, "Date of birth matches with day and month swapped"
    if recorded in years_either_side(given):
        return W_DATE_OF_BIRTH_NEAR, "Date of birth matches except the year, one year out"
    if one_digit_apart(given, recorded):
        return W_DATE_OF_BIRTH_NEAR, "Date of birth differs by one digit"
    return -PENALTY_DATE_OF_BIRTH_DIFFERS, None


DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))


@MANY
@given(DATES, DATES)
@example(date(2016, 2, 29), date(2015, 2, 28))
@example(date(2016, 2, 29), date(2017, 3, 1))
@example(date(2015, 2, 28), date(2016, 2, 29))
@example(date(2018, 3, 4), date(2018, 4, 3))
@example(date(2018, 3, 3), date(2018, 3, 3))
@example(date(2018, 3, 4), date(2019, 4, 3))
@example(date(2018, 3, 14), date(2018, 3, 14).replace(year=2017))
def test_date_of_birth_evidence_is_the_full_way(given_date, recorded):
    assert _date_of_birth_evidence(given_date, recorded) == reference_date_evidence(
        given_date, recorded
    )
    for other in {*years_either_side(given_date), *birth_dates(given_date)}:
        assert _date_of_birth_evidence(given_date, other) == reference_date_evidence(
            given_date, other
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first", "last"),
    [("Ada", "Smyth"), ("", "Smith"), ("Katie", ""), ("Jon", "o'brien")],
)
def test_the_near_dates_block_keeps_the_most_alike_names_ties_to_the_lower_id(first, last):
    names = ["Smith", "SMITH", "Smyth", "Smithe", "Jones", "Katie", "Catherine", "Kate",
             "O'Brien", "Obrien", "Brien", "Jon", "John", "", "Schmidt", "Smith"]  # fmt: skip
    born = date(2019, 5, 6)
    for name in names * 3:
        Child.objects.create(first_name=name or "Baby", last_name=name, date_of_birth=born)
    Child.objects.create(first_name="Kate", last_name="Smith", date_of_birth=date(2019, 5, 7))
    query = Query.of(
        first_name=first, last_name=last, date_of_birth=born, postcode="", nhs_number=""
    )
    children = Child.objects.filter(date_of_birth=born)

    closest = blocking._closest_by_name(children, query, 7)

    targets = [query.last] if query.last else sorted(variants_of(query.first))
    column = "last_name" if query.last else "first_name"
    expected = sorted(
        children.values_list("pk", column),
        key=lambda row: (-max(jaro_winkler(t, row[1].lower()) for t in targets), row[0]),
    )
    assert closest == [pk for pk, _ in expected[:7]]
    assert blocking._closest_by_name(Child.objects.none(), query, 7) == []
