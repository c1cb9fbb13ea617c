"""Child matching, referrals.matching: names, dates of birth, NHS numbers and postcodes, and
ranking; on PostgreSQL, the trigram indexes a name search uses. The API,
POST /api/v1/children/matches/, is in test_matching_api.py.

The same tests run on SQLite and PostgreSQL; the few marked ``postgres`` need pg_trgm
and are skipped on SQLite.
"""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.matching import (
    Match,
    exact_nhs_match,
    find_matches,
    jaro_winkler,
    matches_for_referral,
    name_similarity,
    normalise_name,
)
from referrals.models import Child
from tests.factories import ChildFactory, ReferralFactory
from tests.referrals.matching_helpers import NHS_A, NHS_B, ids, match_for

pytestmark = pytest.mark.django_db

TRIGRAM_INDEXES = {"referrals_child_last_name_trgm", "referrals_child_first_name_trgm"}


# --- Names ------------------------------------------------------------------------------


def test_names_are_normalised_for_case_accents_hyphens_and_apostrophes():
    assert normalise_name("  Zoë  O'Brien-Smith ") == "zoe obrien smith"
    assert normalise_name("JOSÉ") == normalise_name("jose")


def test_jaro_winkler_scores_typos_high_and_different_names_low():
    assert jaro_winkler("martha", "marhta") == pytest.approx(0.961, abs=0.001)
    assert jaro_winkler("smith", "smyth") == pytest.approx(0.893, abs=0.001)
    assert jaro_winkler("smith", "jones") < 0.6
    assert name_similarity("smith jones", "smith") == 0.9


def test_typo_in_last_name_is_found():
    child = ChildFactory(first_name="Oliver", last_name="Smith", date_of_birth=None)

    matches = find_matches(first_name="Oliver", last_name="Smyth")

    assert ids(matches) == [child.pk]
    assert match_for(matches, child).reasons == [
        "First name matches",
        "Last name similar (Smyth / Smith)",
    ]


def test_letters_swapped_in_a_short_last_name_are_found():
    child = ChildFactory(first_name="Oliver", last_name="Smith", date_of_birth=None)
    ChildFactory(first_name="Oliver", last_name="Jones", date_of_birth=None)

    matches = find_matches(first_name="Oliver", last_name="Smtih")

    assert ids(matches) == [child.pk]
    assert "Last name similar (Smtih / Smith)" in matches[0].reasons


def test_a_known_nickname_is_found_as_a_variant():
    child = ChildFactory(first_name="Catherine", last_name="Okafor", date_of_birth=None)

    matches = find_matches(first_name="Katie", last_name="Okafor")

    assert ids(matches) == [child.pk]
    assert "First name is a known variant (Katie / Catherine)" in matches[0].reasons


def test_accents_and_hyphens_do_not_stop_a_match():
    child = ChildFactory(first_name="Zoë", last_name="Smith-Jones", date_of_birth=None)

    [match] = find_matches(first_name="zoe", last_name="Smith Jones")

    assert match.child == child
    assert match.reasons == ["First name matches", "Last name matches"]


def test_a_previous_last_name_recorded_as_another_name_is_found():
    child = ChildFactory(
        first_name="Ada",
        last_name="Mensah",
        other_names="Ada Quist, Ada-Jo Q",
        date_of_birth=date(2017, 3, 4),
    )

    [match] = find_matches(first_name="Ada", last_name="Quist", date_of_birth=date(2017, 3, 4))

    assert match.child == child
    assert "Last name matches another name recorded (Quist)" in match.reasons


def test_first_and_last_names_the_wrong_way_round_are_found():
    child = ChildFactory(first_name="Ada", last_name="Mensah", date_of_birth=date(2017, 3, 4))

    [match] = find_matches(first_name="Mensah", last_name="Ada", date_of_birth=date(2017, 3, 4))

    assert match.child == child
    assert "First and last names swapped (Mensah Ada / Ada Mensah)" in match.reasons


def test_a_mistyped_nhs_number_counts_against_no_one():
    child = ChildFactory(
        first_name="Ada", last_name="Mensah", date_of_birth=date(2017, 3, 4), nhs_number=NHS_B
    )

    [match] = find_matches(
        first_name="Ada", last_name="Mensah", date_of_birth=date(2017, 3, 4), nhs_number="123"
    )

    assert (match.child, match.score) == (child, 0.85)


def test_date_of_birth_with_day_and_month_swapped_is_found_with_that_reason():
    child = ChildFactory(first_name="Ada", last_name="Mensah", date_of_birth=date(2017, 3, 4))

    [match] = find_matches(first_name="Ada", last_name="Mensah", date_of_birth=date(2017, 4, 3))

    assert match.child == child
    assert "Date of birth matches with day and month swapped" in match.reasons
    assert "Date of birth matches" not in match.reasons


def test_date_of_birth_a_year_out_is_found_when_the_name_agrees():
    child = ChildFactory(first_name="Ada", last_name="Mensah", date_of_birth=date(2016, 3, 4))
    ChildFactory(first_name="Bea", last_name="Quist", date_of_birth=date(2016, 3, 4))

    matches = find_matches(first_name="Ada", last_name="Mensah", date_of_birth=date(2017, 3, 4))

    assert ids(matches) == [child.pk]
    assert "Date of birth matches except the year, one year out" in matches[0].reasons


def test_exact_nhs_number_ranks_first_with_score_one():
    by_nhs = ChildFactory(
        first_name="Different", last_name="Name", date_of_birth=None, nhs_number=NHS_A
    )
    by_details = ChildFactory(first_name="Ada", last_name="Mensah", date_of_birth=date(2017, 3, 4))

    matches = find_matches(
        first_name="Ada", last_name="Mensah", date_of_birth=date(2017, 3, 4), nhs_number=NHS_A
    )

    assert ids(matches) == [by_nhs.pk, by_details.pk]
    assert matches[0].score == 1.0
    assert matches[0].reasons[0] == "NHS number matches"
    assert matches[1].score < 1.0


def test_nhs_number_alone_finds_the_child_and_spaces_do_not_matter():
    child = ChildFactory(nhs_number=NHS_A)
    ChildFactory(nhs_number=NHS_B)

    [match] = find_matches(nhs_number="943 476 5919")

    assert (match.child, match.score, match.reasons) == (child, 1.0, ["NHS number matches"])


def test_a_different_nhs_number_counts_against_a_child():
    same = ChildFactory(first_name="Ada", last_name="Mensah", date_of_birth=date(2017, 3, 4))
    other = ChildFactory(
        first_name="Ada", last_name="Mensah", date_of_birth=date(2017, 3, 4), nhs_number=NHS_B
    )

    matches = find_matches(
        first_name="Ada", last_name="Mensah", date_of_birth=date(2017, 3, 4), nhs_number=NHS_A
    )

    assert ids(matches)[0] == same.pk
    assert other.pk not in ids(matches)[:1]


def test_postcode_and_a_similar_name_are_found():
    child = ChildFactory(
        first_name="Oliver", last_name="Smith", date_of_birth=None, postcode="LS1 4AP"
    )
    ChildFactory(first_name="Priya", last_name="Shah", date_of_birth=None, postcode="LS1 4AP")

    matches = find_matches(first_name="Olly", last_name="Smyth", postcode="ls14ap")

    assert ids(matches) == [child.pk]
    assert matches[0].reasons == [
        "First name is a known variant (Olly / Oliver)",
        "Last name similar (Smyth / Smith)",
        "Postcode matches",
    ]


def test_a_postcode_alone_lists_the_children_known_there():
    here = ChildFactory(postcode="LS1 4AP")
    ChildFactory(postcode="LS2 7EE")

    matches = find_matches(postcode="LS1 4AP")

    assert ids(matches) == [here.pk]
    assert matches[0].reasons == ["Postcode matches"]


def test_unrelated_children_are_not_returned():
    ChildFactory(first_name="Priya", last_name="Shah", date_of_birth=date(2015, 1, 2))
    # Sharing a birthday, or a postcode, with a stranger is not a match.
    ChildFactory(first_name="Bea", last_name="Quist", date_of_birth=date(2017, 3, 4))
    ChildFactory(first_name="Tom", last_name="Jones", date_of_birth=None, postcode="LS1 4AP")

    assert find_matches(first_name="Ada", last_name="Mensah", date_of_birth=date(2017, 3, 4)) == []
    assert find_matches(first_name="Ada", last_name="Mensah", postcode="LS1 4AP") == []
    assert find_matches(first_name="Ada", last_name="Mensah") == []


def test_matches_are_ranked_by_how_much_agrees():
    exact = ChildFactory(
        first_name="Ada", last_name="Mensah", date_of_birth=date(2017, 3, 4), postcode="LS1 4AP"
    )
    no_postcode = ChildFactory(first_name="Ada", last_name="Mensah", date_of_birth=date(2017, 3, 4))
    typo = ChildFactory(first_name="Ada", last_name="Mensha", date_of_birth=date(2017, 3, 4))
    swapped = ChildFactory(first_name="Ada", last_name="Mensah", date_of_birth=date(2017, 4, 3))
    one_digit_out = ChildFactory(
        first_name="Ada", last_name="Mensah", date_of_birth=date(2017, 3, 1)
    )
    ChildFactory(first_name="Ada", last_name="Mensah", date_of_birth=date(2012, 8, 30))

    matches = find_matches(
        first_name="Ada", last_name="Mensah", date_of_birth=date(2017, 3, 4), postcode="LS1 4AP"
    )

    assert ids(matches) == [exact.pk, no_postcode.pk, typo.pk, swapped.pk, one_digit_out.pk]
    assert matches[-1].reasons[0] == "Date of birth differs by one digit"
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == len(scores)
    assert matches[0].score == 1.0
    assert all(0 <= s <= 1 for s in scores)


def test_at_most_the_limit_is_returned():
    for _ in range(14):
        ChildFactory(first_name="Ada", last_name="Mensah", date_of_birth=date(2017, 3, 4))
    query = {"first_name": "Ada", "last_name": "Mensah", "date_of_birth": date(2017, 3, 4)}

    assert len(find_matches(**query)) == 10
    assert len(find_matches(**query, limit=3)) == 3


def test_no_details_means_no_matches():
    ChildFactory()

    assert find_matches() == []
    assert find_matches(first_name="  ") == []


def test_unborn_is_not_matched_as_a_first_name():
    ChildFactory(first_name="Unborn", last_name="Quist", date_of_birth=None)

    assert find_matches(first_name="Unborn", last_name="Mensah") == []


def test_the_matches_are_whole_child_records():
    child = ChildFactory(
        first_name="Ada",
        last_name="Quist",
        date_of_birth=date(2017, 3, 4),
        disabilities=["HE", "VIS"],
        address="1 Long Lane",
    )

    [match] = find_matches(first_name="Ada", last_name="Quist", date_of_birth=date(2017, 3, 4))

    assert match.child == child
    assert match.child.get_deferred_fields() == set()
    assert match.child.disabilities == ["HE", "VIS"]  # JSON, decoded
    assert match.child.address == "1 Long Lane"
    assert match.child.created_at == child.created_at


def test_matches_for_referral_uses_the_child_as_given():
    child = ChildFactory(first_name="Ada", last_name="Mensah", date_of_birth=date(2017, 3, 4))
    referral = ReferralFactory(
        child_first_name="Ada", child_last_name="Mensa", child_date_of_birth=date(2017, 3, 4)
    )

    [match] = matches_for_referral(referral)

    assert match.child == child
    assert "Last name similar (Mensa / Mensah)" in match.reasons


def test_exact_nhs_match_is_the_only_automatic_link():
    child = ChildFactory(nhs_number=NHS_A)

    assert exact_nhs_match("943 476 5919") == child
    assert exact_nhs_match(NHS_B) is None
    assert exact_nhs_match("") is None
    assert exact_nhs_match("1234567890") is None  # fails the check digit


# --- PostgreSQL: pg_trgm and its indexes ----------------------------------------------------


@pytest.mark.postgres(reason="pg_trgm and its GIN indexes")
def test_trigram_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'referrals_child'"
        )
        indexes = dict(cursor.fetchall())

    for name in TRIGRAM_INDEXES:
        assert "USING gin" in indexes[name]
        assert "gin_trgm_ops" in indexes[name]


def _synthetic_children(count: int, seed: int = 7) -> list[Child]:
    rng = random.Random(seed)
    onsets = ["b", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z"]
    vowels = ["a", "e", "i", "o", "u", "ai", "ee", "ou"]

    def name(syllables: int) -> str:
        return "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(syllables)).title()

    return [
        Child(
            first_name=name(rng.randint(2, 3)),
            last_name=name(rng.randint(2, 4)),
            date_of_birth=date.fromordinal(date(2008, 1, 1).toordinal() + rng.randrange(18 * 365)),
        )
        for _ in range(count)
    ]


@pytest.mark.postgres(reason="pg_trgm and its GIN indexes")
def test_a_name_search_uses_the_trigram_indexes():
    # Plain bulk_create skips the history rows every other write to Child makes: that is
    # acceptable only for a test or benchmark fixture like this one, never in the app.
    Child.objects.bulk_create(_synthetic_children(20_000), batch_size=5_000)
    target = ChildFactory(first_name="Oliver", last_name="Smith", date_of_birth=None)
    with connection.cursor() as cursor:
        # Rows written in this (test) transaction sit in each GIN index's pending list,
        # which the planner rightly prices high; in the application autovacuum merges it.
        for index in sorted(TRIGRAM_INDEXES):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE referrals_child")

    matches, plan = _search_and_plan(first_name="Olivre", last_name="Smyth")
    assert ids(matches)[0] == target.pk
    assert "Seq Scan" not in plan
    assert any(f"Bitmap Index Scan on {index}" in plan for index in TRIGRAM_INDEXES)

    matches, plan = _search_and_plan(last_name="Smyth")
    assert target.pk in ids(matches)
    assert "Seq Scan" not in plan
    assert "Bitmap Index Scan on referrals_child_last_name_trgm" in plan

    matches, plan = _search_and_plan(first_name="Olivre")
    assert target.pk in ids(matches)
    assert "Seq Scan" not in plan
    assert "Bitmap Index Scan on referrals_child_first_name_trgm" in plan


def _search_and_plan(**query) -> tuple[list[Match], str]:
    """find_matches, and PostgreSQL's plan for the name search it ran."""
    with CaptureQueriesContext(connection) as captured:
        matches = find_matches(**query)
    [search] = [q["sql"] for q in captured.captured_queries if "similarity" in q["sql"].lower()]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + search)
        return matches, "\n".join(row[0] for row in cursor.fetchall())
