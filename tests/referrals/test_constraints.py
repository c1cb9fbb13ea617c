"""What the database itself refuses in the referrals tables, whatever code writes to
them."""

from datetime import timedelta

import pytest

from tests.database import refused
from tests.factories import ChildFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def change(row, **fields):
    return lambda: type(row).objects.filter(pk=row.pk).update(**fields)


@pytest.mark.parametrize(
    ("field", "known", "unknown"),
    [
        ("channel", "phone", "fax"),
        ("caller_type", "", "neighbour"),
        ("parental_consent", "not_aware", "maybe"),
        ("parental_consent", "not_aware", ""),
        ("child_gender", "2", "X"),
        ("child_ethnicity", "WBRI", "BRIT"),
        ("child_religion", "none", "jedi"),
    ],
)
def test_a_referral_holds_only_known_codes(field, known, unknown):
    referral = ReferralFactory()

    assert refused(change(referral, **{field: unknown}))
    assert not refused(change(referral, **{field: known}))


@pytest.mark.parametrize(
    ("field", "known", "unknown"),
    [("gender", "1", "X"), ("ethnicity", "ABAN", "ASIA"), ("religion", "muslim", "other faith")],
)
def test_a_child_record_holds_only_census_codes(field, known, unknown):
    child = ChildFactory()

    assert refused(change(child, **{field: unknown}))
    assert not refused(change(child, **{field: known}))


def test_a_concern_is_one_of_the_categories():
    concern = ReferralFactory().concerns.get()

    assert refused(change(concern, category="worry"))
    assert not refused(change(concern, category="domestic_abuse"))


# --- Paired fields ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "missing",
    [
        {"recommended_outcome": ""},
        {"recommendation": ""},
        {"recommended_by": None},
        {"recommended_at": None},
    ],
)
def test_a_recommendation_has_its_outcome_reasons_who_and_when_or_nothing(missing):
    recommended = ReferralFactory(awaiting_decision=True)
    fresh = ReferralFactory()
    parts = {
        "recommended_outcome": "s17",
        "recommendation": "Repeated neglect: an assessment is needed.",
        "recommended_by": recommended.assigned_to,
        "recommended_at": recommended.received_at,
    }

    assert refused(change(recommended, **missing))
    assert refused(change(fresh, **{name: parts[name] for name in missing}))
    assert not refused(change(recommended, **parts))


def test_a_recommended_outcome_is_one_of_the_outcomes():
    recommended = ReferralFactory(awaiting_decision=True)

    assert refused(change(recommended, recommended_outcome="cp_plan"))
    assert not refused(change(recommended, recommended_outcome="s47"))


def test_the_status_matches_allocation_and_recommendation():
    received = ReferralFactory()
    screening = ReferralFactory(in_screening=True)
    awaiting = ReferralFactory(awaiting_decision=True)
    screener = screening.assigned_to
    at = screening.assigned_at

    # Allocated but still "received": the queue would flag it as left unallocated.
    assert refused(change(received, assigned_to=screener, assigned_at=at))
    assert not refused(change(received, assigned_to=screener, assigned_at=at, status="screening"))
    # In screening with no one allocated, or already recommended on.
    assert refused(change(screening, assigned_to=None, assigned_at=None))
    assert refused(change(received, status="screening"))
    assert refused(
        change(
            screening,
            recommended_outcome="nfa",
            recommendation="No concerns once the school had spoken to the family.",
            recommended_by=screener,
            recommended_at=at,
        )
    )
    # Awaiting a decision with no recommendation.
    assert refused(
        change(
            awaiting,
            recommended_outcome="",
            recommendation="",
            recommended_by=None,
            recommended_at=None,
        )
    )
    assert refused(change(received, status="awaiting_decision"))


def test_a_referral_is_a_referrers_or_recorded_for_a_caller_never_both_or_neither():
    referral = ReferralFactory()
    screener = ReferralFactory(in_screening=True).assigned_to

    assert refused(change(referral, recorded_by=screener))
    assert refused(change(referral, caller_type="family"))
    assert refused(change(referral, agency=None))
    assert refused(change(referral, referrer=None))
    assert refused(change(referral, referrer=None, recorded_by=screener))  # caller unknown
    assert not refused(
        change(referral, referrer=None, agency=None, recorded_by=screener, caller_type="family")
    )


def test_consent_not_sought_needs_the_reason():
    referral = ReferralFactory()

    assert refused(change(referral, parental_consent="not_sought"))
    assert not refused(
        change(
            referral,
            parental_consent="not_sought",
            consent_not_sought_reason="Telling the father would put the child at risk.",
        )
    )


def test_a_child_record_has_a_birth_date_or_an_expected_one_not_both():
    child = ChildFactory()

    assert refused(change(child, expected_date_of_birth=child.date_of_birth))
    assert not refused(
        change(child, date_of_birth=None, expected_date_of_birth=child.date_of_birth)
    )


def test_a_referral_holds_only_a_known_status():
    referral = ReferralFactory()

    assert refused(change(referral, status="closed"))


def test_an_allocation_has_who_and_when():
    referral = ReferralFactory(in_screening=True)

    assert refused(change(referral, assigned_at=None))
    assert refused(change(referral, assigned_to=None))


def test_the_decision_is_due_after_the_referral_was_received():
    referral = ReferralFactory()

    assert refused(change(referral, decision_due_at=referral.received_at))
    assert not refused(change(referral, decision_due_at=referral.received_at + timedelta(hours=1)))


def test_a_referred_child_has_a_birth_date_or_an_expected_one_not_both():
    referral = ReferralFactory()

    assert refused(change(referral, child_expected_date_of_birth=referral.child_date_of_birth))
