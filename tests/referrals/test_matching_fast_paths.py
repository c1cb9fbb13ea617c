"""Child matching's shortcuts (issue 14) give what the longer ways gave.

Scoring runs for a few hundred candidates a search, so its commonest cases take a
shortcut: a name of plain letters is only lower-cased, a single name is compared once,
and a date of birth is checked against the swapped and year-out dates without making
sets for every candidate; what depends on the query alone is worked out once for all
its candidates (``Scorer``). The near-dates block ranks a few thousand children by name
in Python (numpy and rapidfuzz) rather than with pg_trgm, lower-casing their names in
one call. Each is checked here against the way written out in full.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import numpy
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from referrals.matching import blocking, jaro_winkler, scoring
from referrals.matching.dates import birth_dates, near_birth_dates, years_either_side
from referrals.matching.names import (
    UNBORN,
    name_similarity,
    normalise_name,
    other_names,
    similarities,
    variants_of,
)
from referrals.matching.query import Query, Row
from referrals.matching.scoring import (
    DIFFERENT,
    OTHER_NAME_SHARE,
    PENALTY_DATE_OF_BIRTH_DIFFERS,
    PENALTY_NAME_DIFFERS,
    PENALTY_NHS_NUMBER_DIFFERS,
    SIMILAR,
    SWAPPED_NAMES_SHARE,
    VARIANT_SHARE,
    W_DATE_OF_BIRTH,
    W_DATE_OF_BIRTH_NEAR,
    W_DATE_OF_BIRTH_SWAPPED,
    W_FIRST_NAME,
    W_LAST_NAME,
    W_POSTCODE,
    Scorer,
    _date_of_birth_evidence,
)
from referrals.models import Child
from referrals.validation import normalise_postcode

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


@MANY
@given(NAMES, st.lists(NAMES, max_size=30))
@example("smith", ["smith", "smyth", "", "smith jones", "s"])
@example("smith jones", ["smith", "jones smith"])
@example("", ["", "a"])
def test_similarities_for_many_names_at_once_are_each_names(name, others):
    name_similarity.cache_clear()
    assert similarities(name, others) == [reference_similarity(name, other) for other in others]


def reference_date_evidence(given: date, recorded: date):
    if given == recorded:
        return W_DATE_OF_BIRTH, "Date of birth matches"
    if recorded in birth_dates(given):
        return W_DATE_OF_BIRTH_SWAPPED, "Date of birth matches with day and month swapped"
    if recorded in years_either_side(given):
        return W_DATE_OF_BIRTH_NEAR, "Date of birth matches except the year, one year out"
    if sum(x != y for x, y in zip(given.isoformat(), recorded.isoformat(), strict=True)) == 1:
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
    nearby = {*years_either_side(given_date), *birth_dates(given_date)}
    for other in nearby | near_birth_dates(given_date):  # one digit apart, most of them
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

    closest = blocking._closest_by_name([born], query, 7)

    targets = [query.last] if query.last else sorted(variants_of(query.first))
    column = "last_name" if query.last else "first_name"
    expected = sorted(
        children.values_list("pk", column),
        key=lambda row: (-max(jaro_winkler(t, row[1].lower()) for t in targets), row[0]),
    )
    assert closest == [pk for pk, _ in expected[:7]]
    assert blocking._closest_by_name([date(2001, 1, 1)], query, 7) == []
    assert blocking._closest_by_name([], query, 7) == []


@MANY
@given(st.lists(st.text(max_size=12), min_size=1, max_size=8))
@example(["ΟΔΥΣΣΕΥΣ", "ΣΑΣ", "Σ"])  # a final sigma, at the end of each name and alone
@example(["ΌΣ'", "A\u0345Σ", "İlkay", "ẞ"])  # case-ignorable letters around a sigma
@example(["Ada\x1fQuist", "Bo"])  # the separator in a name
@example([""])
def test_the_near_dates_names_lowered_together_are_each_lowered_alone(names):
    lowered = blocking.split_lowered(blocking.SEPARATOR.join(names), len(names))
    if any(blocking.SEPARATOR in name for name in names):
        assert lowered is None  # then the names are read a row a child
    else:
        assert lowered == [name.lower() for name in names]


@MANY
@given(
    st.lists(st.tuples(st.integers(1, 10**6), st.sampled_from([0.5, 0.8, 0.9, 1.0])),
             unique_by=lambda pair: pair[0], max_size=40),
    st.integers(1, 12),
)  # fmt: skip
def test_the_near_dates_best_names_are_those_of_a_full_sort(pairs, cap):
    ids = numpy.array([pk for pk, _ in pairs], dtype=numpy.int64)
    similarity = numpy.array([value for _, value in pairs], dtype=numpy.float64)
    expected = [pk for pk, _ in sorted(pairs, key=lambda pair: (-pair[1], pair[0]))[:cap]]
    assert blocking.best_first(ids, similarity, cap) == expected


@pytest.mark.django_db
def test_a_near_date_name_holding_the_separator_is_still_ranked():
    born = date(2019, 5, 6)
    odd = Child.objects.create(first_name="Ada", last_name="Smi\x1fth", date_of_birth=born)
    smith = Child.objects.create(first_name="Ada", last_name="Smith", date_of_birth=born)
    jones = Child.objects.create(first_name="Ada", last_name="Jones", date_of_birth=born)
    query = Query.of(
        first_name="Ada", last_name="Smith", date_of_birth=born, postcode="", nhs_number=""
    )

    assert blocking._closest_by_name([born], query, 3) == [smith.pk, odd.pk, jones.pk]


# --- Scoring one query's candidates: Scorer against score() as it was written out -------


def reference_score(query: Query, row: Row) -> tuple[float, list[str]]:
    """scoring.score before Scorer: each call worked everything out afresh."""
    points, reasons = 0.0, []

    def add(evidence):
        nonlocal points
        points += evidence[0]
        if evidence[1]:
            reasons.append(evidence[1])

    nhs_matches = bool(query.nhs_number) and query.nhs_number == row.nhs_number
    if nhs_matches:
        reasons.append("NHS number matches")
    elif query.nhs_number and row.nhs_number:
        add((-PENALTY_NHS_NUMBER_DIFFERS, "NHS number is different"))
    if query.date_of_birth and row.date_of_birth:
        add(reference_date_evidence(query.date_of_birth, row.date_of_birth))
    for evidence in reference_names_evidence(query, row):
        add(evidence)
    if query.postcode and normalise_postcode(row.postcode) == query.postcode:
        add((W_POSTCODE, "Postcode matches"))
    total = 1.0 if nhs_matches else min(max(points, 0.0), 1.0)
    return total, reasons


def reference_names_evidence(query: Query, row: Row):
    recorded_first = reference_normalise(row.first_name)
    if recorded_first == UNBORN:
        recorded_first = ""
    recorded_last = reference_normalise(row.last_name)
    others = other_names(row.other_names)
    first = reference_name_evidence(
        "First name", query.first_name, query.first, row.first_name, recorded_first, others,
        weight=W_FIRST_NAME, variants=True,
    )  # fmt: skip
    last = reference_name_evidence(
        "Last name", query.last_name, query.last, row.last_name, recorded_last, others,
        weight=W_LAST_NAME, variants=False,
    )  # fmt: skip
    if (
        query.first
        and query.last
        and query.first.replace(" ", "") == recorded_last.replace(" ", "")
        and query.last.replace(" ", "") == recorded_first.replace(" ", "")
        and query.first != query.last
    ):
        swapped = (W_FIRST_NAME + W_LAST_NAME) * SWAPPED_NAMES_SHARE
        if swapped > first[0] + last[0]:
            given = f"{query.first_name} {query.last_name}"
            recorded = f"{row.first_name} {row.last_name}"
            return [(swapped, f"First and last names swapped ({given} / {recorded})")]
    return [first, last]


def reference_name_evidence(label, given, normalised, recorded, recorded_normalised, others, *,
                            weight, variants):  # fmt: skip
    if not normalised or not recorded_normalised:
        return 0.0, None
    similarity = reference_similarity(normalised, recorded_normalised)
    if similarity == 1.0:
        return weight, f"{label} matches"
    if variants and recorded_normalised in variants_of(normalised):
        return weight * VARIANT_SHARE, f"{label} is a known variant ({given} / {recorded})"
    if normalised.replace(" ", "") in others and similarity < OTHER_NAME_SHARE:
        return weight * OTHER_NAME_SHARE, f"{label} matches another name recorded ({given})"
    if similarity >= SIMILAR:
        return weight * similarity, f"{label} similar ({given} / {recorded})"
    if similarity < DIFFERENT:
        return -PENALTY_NAME_DIFFERS, None
    return 0.0, None


# Few enough names, dates and numbers that they agree, nearly agree and swap often.
SOME_NAMES = st.sampled_from(
    ["Smith", "smyth", "Smith-Jones", "Jones", "Katie", "Catherine", "Kate", "Ada", "Quist",
     "O'Brien", "Zoë", "Unborn", "Mohammed", "Muhammad", "Ada Quist", "", " "]
)  # fmt: skip
SOME_DATES = st.sampled_from(
    [None, date(2018, 3, 4), date(2018, 4, 3), date(2017, 3, 4), date(2019, 3, 4),
     date(2018, 3, 14), date(2016, 2, 29), date(2015, 2, 28), date(2011, 9, 4)]
)  # fmt: skip
SOME_POSTCODES = st.sampled_from(["", "LS1 4AP", "ls14ap", "LS1  4AP", "BD7 1DP", "LS14A"])
SOME_NHS_NUMBERS = st.sampled_from(["", "9434765919", "9434765870", "943 476 5919", "123"])


@st.composite
def query_and_rows(draw):
    query = Query.of(
        first_name=draw(SOME_NAMES),
        last_name=draw(SOME_NAMES),
        date_of_birth=draw(SOME_DATES),
        postcode=draw(SOME_POSTCODES),
        nhs_number=draw(SOME_NHS_NUMBERS),
    )
    rows = [
        Row(
            pk=pk,
            first_name=draw(SOME_NAMES),
            last_name=draw(SOME_NAMES),
            other_names=draw(st.sampled_from(["", "Quist", "Ada Quist, Smith", "Jones/Smyth"])),
            date_of_birth=draw(SOME_DATES),
            postcode=draw(SOME_POSTCODES),
            nhs_number=draw(st.sampled_from(["", "9434765919", "9434765870"])),
        )
        for pk in range(draw(st.integers(1, 6)))
    ]
    return query, rows


@settings(max_examples=1500, deadline=None)
@given(query_and_rows())
@example(
    (
        Query.of(first_name="Mensah", last_name="Ada", date_of_birth=None, postcode="",
                 nhs_number=""),
        [Row(1, "Ada", "Mensah", "", None, "", "")],
    )
)  # fmt: skip
def test_scoring_a_querys_candidates_is_scoring_each_afresh(query_and_rows):
    query, rows = query_and_rows
    score = Scorer(query)
    expected = [reference_score(query, row) for row in rows]
    assert [score(row) for row in rows] == expected
    assert [scoring.score(query, row) for row in rows] == expected
    assert score.all(rows) == [(*each, row) for each, row in zip(expected, rows, strict=True)]
