import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from agencies.models import Role
from core.exceptions import AlreadyDecided, DomainError, NotPermitted
from referrals.models import Outcome, Status
from tests.factories import DecisionFactory, ReferralFactory, UserFactory
from triage.models import Decision, DecisionAmendment, ThresholdLevel
from triage.services.decisions import amend_decision, compose_feedback, decide

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


def test_a_manager_decides_and_the_referral_leaves_the_queue():
    manager = UserFactory(role=Role.MANAGER)
    referral = ReferralFactory()

    decision = decide(referral_id=referral.pk, by=manager, **GOOD)

    referral.refresh_from_db()
    assert referral.status == Status.DECIDED
    assert decision.decided_by == manager
    assert "child and family assessment" in decision.feedback
    assert "A social worker will meet the family" in decision.feedback
    assert RATIONALE not in decision.feedback


def test_screener_cannot_decide():
    with pytest.raises(NotPermitted):
        decide(referral_id=ReferralFactory().pk, by=UserFactory(role=Role.SCREENER), **GOOD)


def test_a_second_decision_is_refused():
    referral = ReferralFactory()
    decide(referral_id=referral.pk, by=UserFactory(role=Role.MANAGER), **GOOD)

    with pytest.raises(AlreadyDecided):
        decide(referral_id=referral.pk, by=UserFactory(role=Role.MANAGER), **GOOD)
    assert Decision.objects.count() == 1


def test_a_rationale_must_be_substantive_and_the_threshold_real():
    with pytest.raises(DomainError) as caught:
        decide(
            referral_id=ReferralFactory().pk,
            by=UserFactory(role=Role.MANAGER),
            **{**GOOD, "rationale": "NFA", "threshold_level": 9},
        )

    assert set(caught.value.errors) == {"rationale", "threshold_level"}


def test_a_late_decision_needs_a_reason():
    referral = ReferralFactory(received_at=timezone.now() - timedelta(hours=30))
    manager = UserFactory(role=Role.MANAGER)

    with pytest.raises(DomainError) as caught:
        decide(referral_id=referral.pk, by=manager, **GOOD)
    assert "late_reason" in caught.value.errors

    decision = decide(referral_id=referral.pk, by=manager, late_reason="Waiting for police", **GOOD)
    assert decision.late_reason == "Waiting for police"


def test_a_decision_just_before_the_deadline_needs_no_late_reason():
    received = timezone.now().replace(microsecond=0)
    referral = ReferralFactory(received_at=received)
    with time_machine.travel(received + timedelta(hours=23, minutes=59), tick=False):
        decision = decide(referral_id=referral.pk, by=UserFactory(role=Role.MANAGER), **GOOD)
    assert decision.late_reason == ""


def test_feedback_below_threshold_offers_other_support():
    text = compose_feedback(outcome=Outcome.SIGNPOST, reasons=RATIONALE)

    assert "Other support the family can use" in text
    assert "Domestic abuse helpline" in text
    assert "Other support" not in compose_feedback(outcome=Outcome.STRATEGY_S47, reasons="x")


def test_an_amendment_keeps_the_original_and_carries_a_reason():
    decision = DecisionFactory()
    manager = UserFactory(role=Role.MANAGER)

    amendment = amend_decision(
        decision_id=decision.pk,
        by=manager,
        outcome=Outcome.STRATEGY_S47,
        threshold_level=4,
        rationale=RATIONALE,
        reason="Police shared new information about the household.",
        feedback="We need to talk with the police and health about the children.",
    )

    decision.refresh_from_db()
    assert decision.outcome == Outcome.EARLY_HELP
    assert decision.current == amendment
    assert DecisionAmendment.objects.count() == 1
    with pytest.raises(DomainError):
        amend_decision(
            decision_id=decision.pk,
            by=manager,
            outcome=Outcome.NO_FURTHER_ACTION,
            threshold_level=1,
            rationale=RATIONALE,
            reason="",
            feedback="We need to talk with the police and health about the children.",
        )


def test_a_decision_without_what_the_referrer_is_told_is_refused():
    referral = ReferralFactory()

    with pytest.raises(DomainError) as refused:
        decide(
            referral_id=referral.pk, by=UserFactory(role=Role.MANAGER), **(GOOD | {"feedback": ""})
        )

    assert "feedback" in refused.value.errors
    assert not Decision.objects.filter(referral=referral).exists()


@pytest.mark.django_db(transaction=True)
def test_two_managers_deciding_at_once_exactly_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: two connections deciding at once")
    referral = ReferralFactory()
    managers = [UserFactory(role=Role.MANAGER), UserFactory(role=Role.MANAGER)]
    results: list = []
    barrier = threading.Barrier(2)

    def attempt(manager):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            results.append(decide(referral_id=referral.pk, by=manager, **GOOD))
        except AlreadyDecided as exc:
            results.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=attempt, args=(m,)) for m in managers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(type(r).__name__ for r in results) == ["AlreadyDecided", "Decision"]
    assert Decision.objects.filter(referral=referral).count() == 1


def test_the_referrer_is_told_the_reasons_written_for_them_not_the_internal_rationale():
    referral = ReferralFactory()

    decision = decide(
        referral_id=referral.pk,
        by=UserFactory(role=Role.MANAGER),
        **(GOOD | {"feedback": "The family have agreed to work with the school's family worker."}),
    )

    assert "family have agreed to work with the school" in decision.feedback
    assert RATIONALE not in decision.feedback
    assert decision.rationale == RATIONALE


def test_a_decision_at_the_due_time_itself_is_late_as_the_queue_shows_it():
    referral = ReferralFactory()

    with (
        time_machine.travel(referral.decision_due_at, tick=False),
        pytest.raises(DomainError) as refused,
    ):
        decide(referral_id=referral.pk, by=UserFactory(role=Role.MANAGER), **GOOD)

    assert "late_reason" in refused.value.errors


# --- Threshold levels: a decision cites one of the configured levels --------------------


def test_a_decision_cites_a_configured_level_and_its_history_keeps_the_level():
    decision = decide(referral_id=ReferralFactory().pk, by=UserFactory(role=Role.MANAGER), **GOOD)

    decision.refresh_from_db()
    assert decision.threshold_level == ThresholdLevel.objects.get(level=3)
    assert decision.threshold_level.name == "Child in need (section 17)"
    assert decision.history.get().threshold_level_id == 3


@pytest.mark.parametrize("level", [0, 9, -1, 10**30, "three", None])
def test_a_level_that_is_not_configured_is_refused_naming_the_field(level):
    referral = ReferralFactory()

    with pytest.raises(DomainError) as refused:
        decide(
            referral_id=referral.pk,
            by=UserFactory(role=Role.MANAGER),
            **(GOOD | {"threshold_level": level}),
        )

    assert set(refused.value.errors) == {"threshold_level"}
    assert not Decision.objects.filter(referral=referral).exists()


def test_a_level_no_longer_in_use_is_refused_for_decisions_and_amendments():
    ThresholdLevel.objects.filter(level=4).update(is_active=False)
    decision = DecisionFactory()
    manager = UserFactory(role=Role.MANAGER)

    with pytest.raises(DomainError) as refused:
        decide(referral_id=ReferralFactory().pk, by=manager, **(GOOD | {"threshold_level": 4}))
    assert set(refused.value.errors) == {"threshold_level"}
    with pytest.raises(DomainError) as refused:
        amend_decision(
            decision_id=decision.pk,
            by=manager,
            outcome=Outcome.STRATEGY_S47,
            threshold_level=4,
            rationale=RATIONALE,
            reason="Police shared new information about the household.",
            feedback="We need to talk with the police and health about the children.",
        )
    assert set(refused.value.errors) == {"threshold_level"}
    assert not DecisionAmendment.objects.exists()


@pytest.mark.parametrize("level", [7, 0, -3, 10**30, "two", None])
def test_the_decision_api_refuses_an_unknown_level_with_400_naming_it(make_user, level):
    from rest_framework.test import APIClient

    referral = ReferralFactory()
    api = APIClient()
    api.force_authenticate(make_user(Role.MANAGER))

    response = api.post(
        f"/api/v1/referrals/{referral.pk}/decision/",
        {**GOOD, "threshold_level": level},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"threshold_level"}
    assert not Decision.objects.filter(referral=referral).exists()


def test_the_decision_api_gives_the_level_as_its_number(make_user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(make_user(Role.MANAGER))

    response = api.post(f"/api/v1/referrals/{ReferralFactory().pk}/decision/", GOOD, format="json")

    assert response.status_code == 201
    assert response.json()["threshold_level"] == 3


def test_the_decision_screen_offers_the_levels_in_use_and_refuses_any_other(manager_client):
    ThresholdLevel.objects.filter(level=1).update(is_active=False)
    referral = ReferralFactory()
    url = f"/triage/referrals/{referral.pk}/decide/"

    page = manager_client.get(url).content.decode()
    assert 'value="2"' in page and 'value="4"' in page
    assert 'name="threshold_level" type="radio" value="1"' not in page

    for level in ("1", "9", "two"):
        response = manager_client.post(url, {**GOOD, "threshold_level": level})
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
    assert not Decision.objects.filter(referral=referral).exists()


def test_the_referral_page_names_the_level_decided_and_amended(manager_client):
    decision = DecisionFactory(threshold_level_id=2)
    amend_decision(
        decision_id=decision.pk,
        by=UserFactory(role=Role.MANAGER),
        outcome=Outcome.STRATEGY_S47,
        threshold_level=4,
        rationale=RATIONALE,
        reason="Police shared new information about the household.",
        feedback="We need to talk with the police and health about the children.",
    )

    page = manager_client.get(f"/triage/referrals/{decision.referral_id}/").content.decode()

    assert "Level 2: Early help" in page
    assert "level 4: Child protection (section 47)" in page


def test_reasons_of_the_greatest_length_with_the_support_around_them_are_a_valid_decision():
    """The referrer's feedback is composed: the manager's reasons (at most 6,000
    characters, checked at input) with the outcome in words and the support services, so
    the stored whole is longer than the reasons and the model sets no bound on it."""
    reasons = ("The family will be offered help from the local family hub. " * 100)[:6000]

    decision = decide(
        referral_id=ReferralFactory().pk,
        by=UserFactory(role=Role.MANAGER),
        **{**GOOD, "outcome": Outcome.SIGNPOST, "threshold_level": 1, "feedback": reasons},
    )

    assert len(decision.feedback) > 6000
    decision.full_clean()
