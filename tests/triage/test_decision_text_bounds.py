"""A decision's and an amendment's texts are bounded by the services themselves, not only
by the forms and the API's serializers: a caller that skips those (a script, a future
endpoint, the challenge's resolution) is refused with an error naming the field, never
stores more than the record holds, and never meets a database error."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from agencies.models import Role
from core.exceptions import DomainError
from referrals.models import Outcome
from tests.factories import DecisionFactory, ReferralFactory, UserFactory
from triage.models import Decision, DecisionAmendment
from triage.services.decisions import (
    AMENDMENT_TEXT_MAX,
    DECISION_TEXT_MAX,
    amend_decision,
    decide,
)

pytestmark = pytest.mark.django_db

RATIONALE = "Three referrals for neglect this year; early help did not change the children's day."
GOOD = {
    "outcome": Outcome.ASSESSMENT_S17,
    "threshold_level": 3,
    "rationale": RATIONALE,
    "lived_experience_impact": "Ava looks after Leo each morning; neither eats breakfast.",
    "feedback": "A social worker will meet the family to understand the children's needs.",
    "proceed_reason": "Not screened, but the police need an answer tonight.",
}
AMEND = {
    "outcome": Outcome.STRATEGY_S47,
    "threshold_level": 4,
    "rationale": RATIONALE,
    "reason": "Police shared new information about the household.",
    "feedback": "We need to talk with the police and health about the children.",
}


def words(length: int) -> str:
    """Text of many words, exactly ``length`` characters long (nothing to strip)."""
    return ("The children were seen at home again today. " * (length // 40 + 1))[: length - 1] + "."


def test_the_bounds_are_the_records_and_the_forms():
    assert DECISION_TEXT_MAX == {
        "rationale": 6000,
        "lived_experience_impact": 6000,
        "onward_referrals": 3000,
        "late_reason": 3000,
        "proceed_reason": 3000,
        "threshold_reason": 3000,
        "feedback": 6000,
    }
    assert AMENDMENT_TEXT_MAX == {"rationale": 6000, "reason": 3000, "feedback": 6000}


@pytest.mark.parametrize("field", list(DECISION_TEXT_MAX))
def test_a_decision_text_one_past_its_bound_is_refused_naming_it(field):
    referral = ReferralFactory()
    limit = DECISION_TEXT_MAX[field]

    with pytest.raises(DomainError) as caught:
        decide(
            referral_id=referral.pk,
            by=UserFactory(role=Role.MANAGER),
            **{**GOOD, field: words(limit + 1)},
        )

    assert set(caught.value.errors) == {field}
    assert f"must be {limit} characters or fewer" in caught.value.errors[field][0]
    assert not Decision.objects.filter(referral=referral).exists()


def test_every_decision_text_at_its_bound_is_kept_whole():
    texts = {field: words(limit) for field, limit in DECISION_TEXT_MAX.items()}

    decision = decide(
        referral_id=ReferralFactory().pk, by=UserFactory(role=Role.MANAGER), **{**GOOD, **texts}
    )

    assert decision.rationale == texts["rationale"]
    assert decision.onward_referrals == texts["onward_referrals"]
    assert texts["feedback"] in decision.feedback


@pytest.mark.parametrize("field", list(AMENDMENT_TEXT_MAX))
def test_an_amendment_text_one_past_its_bound_is_refused_naming_it(field):
    decision = DecisionFactory()
    limit = AMENDMENT_TEXT_MAX[field]

    with pytest.raises(DomainError) as caught:
        amend_decision(
            decision_id=decision.pk,
            by=UserFactory(role=Role.MANAGER),
            **{**AMEND, field: words(limit + 1)},
        )

    assert set(caught.value.errors) == {field}
    assert f"must be {limit} characters or fewer" in caught.value.errors[field][0]
    assert not DecisionAmendment.objects.exists()


def test_every_amendment_text_at_its_bound_is_kept_whole():
    texts = {field: words(limit) for field, limit in AMENDMENT_TEXT_MAX.items()}

    amendment = amend_decision(
        decision_id=DecisionFactory().pk, by=UserFactory(role=Role.MANAGER), **{**AMEND, **texts}
    )

    assert (amendment.rationale, amendment.reason) == (texts["rationale"], texts["reason"])


@pytest.mark.parametrize("field", list(DECISION_TEXT_MAX))
def test_the_decision_api_answers_a_text_past_its_bound_with_400_naming_it(make_user, field):
    referral = ReferralFactory()
    api = APIClient()
    api.force_authenticate(make_user(Role.MANAGER))

    response = api.post(
        f"/api/v1/referrals/{referral.pk}/decision/",
        {**GOOD, field: words(DECISION_TEXT_MAX[field] + 1)},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {field}
    assert not Decision.objects.filter(referral=referral).exists()
