from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Role
from core.exceptions import DomainError, InvalidState, NotPermitted
from referrals.models import Child, Status
from tests.factories import DecisionFactory, ReferralFactory, UserFactory
from triage.services import screening

pytestmark = pytest.mark.django_db


def test_a_screener_claims_an_unallocated_referral_and_screening_starts():
    screener = UserFactory(role=Role.SCREENER)
    referral = ReferralFactory()

    screening.claim(referral_id=referral.pk, by=screener)

    referral.refresh_from_db()
    assert referral.assigned_to == screener
    assert referral.assigned_at is not None
    assert referral.status == Status.SCREENING


def test_a_referral_allocated_to_someone_else_cannot_be_claimed():
    referral = ReferralFactory()
    screening.claim(referral_id=referral.pk, by=UserFactory(role=Role.SCREENER))

    with pytest.raises(InvalidState, match="already allocated"):
        screening.claim(referral_id=referral.pk, by=UserFactory(role=Role.SCREENER))


def test_only_managers_allocate_and_only_to_screeners_or_managers():
    referral = ReferralFactory()
    screener = UserFactory(role=Role.SCREENER)
    manager = UserFactory(role=Role.MANAGER)

    with pytest.raises(NotPermitted):
        screening.allocate(referral_id=referral.pk, to=screener, by=screener)
    with pytest.raises(DomainError):
        screening.allocate(referral_id=referral.pk, to=UserFactory(role=Role.REFERRER), by=manager)

    screening.allocate(referral_id=referral.pk, to=screener, by=manager)
    other = UserFactory(role=Role.SCREENER)
    screening.allocate(referral_id=referral.pk, to=other, by=manager)  # re-allocate

    referral.refresh_from_db()
    assert referral.assigned_to == other
    assert [h.assigned_to_id for h in referral.history.order_by("history_date")][-2:] == [
        screener.pk,
        other.pk,
    ]


def test_a_referrer_cannot_screen():
    referral = ReferralFactory()
    with pytest.raises(NotPermitted):
        screening.claim(referral_id=referral.pk, by=referral.referrer)
    with pytest.raises(NotPermitted):
        screening.add_note(referral_id=referral.pk, by=referral.referrer, text="x")


def test_a_recommendation_moves_the_referral_to_awaiting_decision():
    screener = UserFactory(role=Role.SCREENER)
    referral = ReferralFactory()

    screening.recommend(
        referral_id=referral.pk,
        by=screener,
        outcome="s17",
        rationale="Long-standing neglect with no change after early help.",
    )

    referral.refresh_from_db()
    assert referral.status == Status.AWAITING_DECISION
    assert referral.recommended_outcome == "s17"
    assert referral.assigned_to == screener


def test_a_recommendation_needs_an_outcome_and_a_reason():
    with pytest.raises(DomainError) as caught:
        screening.recommend(
            referral_id=ReferralFactory().pk,
            by=UserFactory(role=Role.SCREENER),
            outcome="maybe",
            rationale="",
        )
    assert set(caught.value.errors) == {"outcome", "rationale"}


def test_the_quality_rubric_is_recorded_and_scored():
    screener = UserFactory(role=Role.SCREENER)
    referral = ReferralFactory()

    rating = screening.rate_quality(
        referral_id=referral.pk,
        by=screener,
        specific_worry=True,
        child_voice=True,
        lived_experience=False,
        comment="Good",
    )
    again = screening.rate_quality(referral_id=referral.pk, by=screener, specific_worry=True)

    assert rating.score == 2
    assert again.pk == rating.pk and again.score == 1


def test_creating_a_child_record_copies_the_details_as_given_and_links_it():
    referral = ReferralFactory(child_first_name="Ava", child_nhs_number="9434765919")

    child = screening.create_child_from_referral(
        referral_id=referral.pk, by=UserFactory(role=Role.SCREENER)
    )

    referral.refresh_from_db()
    assert referral.child == child
    assert child.first_name == "Ava" and child.nhs_number == "9434765919"
    with pytest.raises(InvalidState):
        screening.create_child_from_referral(
            referral_id=referral.pk, by=UserFactory(role=Role.SCREENER)
        )


def test_a_decided_referral_cannot_be_claimed_or_recommended():
    referral = DecisionFactory().referral
    screener = UserFactory(role=Role.SCREENER)

    with pytest.raises(InvalidState):
        screening.claim(referral_id=referral.pk, by=screener)
    with pytest.raises(InvalidState):
        screening.recommend(
            referral_id=referral.pk,
            by=screener,
            outcome="nfa",
            rationale="Nothing more to do here at all.",
        )


def test_an_exact_nhs_number_links_a_new_referral_automatically():
    from datetime import date

    from referrals.models import Channel
    from referrals.services import submit_referrals

    known = Child.objects.create(first_name="Ava", last_name="Known", nhs_number="9434765919")
    (referral,) = submit_referrals(
        by=UserFactory(role=Role.REFERRER),
        children=[
            {
                "child_first_name": "Eva",
                "child_last_name": "Known",
                "child_date_of_birth": date(2017, 4, 3),
                "child_nhs_number": "9434765919",
            }
        ],
        details={
            "worry": "Came to school hungry again today.",
            "lived_experience": "Gets himself up and to school alone.",
            "child_voice": "Said he was fine, looked tired.",
            "parental_consent": "consented",
        },
        concerns=["neglect"],
        channel=Channel.WEB,
    )

    assert referral.child == known


def test_a_similar_name_is_never_linked_automatically():
    from datetime import date

    from referrals.models import Channel
    from referrals.services import submit_referrals

    Child.objects.create(first_name="Ava", last_name="Testfield", date_of_birth=date(2017, 4, 3))
    (referral,) = submit_referrals(
        by=UserFactory(role=Role.REFERRER),
        children=[
            {
                "child_first_name": "Ava",
                "child_last_name": "Testfield",
                "child_date_of_birth": date(2017, 4, 3),
            }
        ],
        details={
            "worry": "Came to school hungry again today.",
            "lived_experience": "Gets himself up and to school alone.",
            "child_voice": "Said he was fine, looked tired.",
            "parental_consent": "consented",
        },
        concerns=["neglect"],
        channel=Channel.WEB,
    )

    assert referral.child is None


def test_unallocated_flag_after_the_configured_time():
    from triage.selectors import is_unallocated_too_long

    now = timezone.now()
    referral = ReferralFactory(received_at=now - timedelta(minutes=61))

    assert is_unallocated_too_long(referral, now=now, minutes=60)
    assert not is_unallocated_too_long(referral, now=now, minutes=90)
