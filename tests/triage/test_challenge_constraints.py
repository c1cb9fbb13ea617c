"""What the database itself refuses in the challenge tables, whatever code writes them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Role
from tests.database import refused
from tests.factories import (
    ChallengeFactory,
    DecisionAmendmentFactory,
    DecisionFactory,
    EscalationStageFactory,
    StrategyDiscussionFactory,
    UserFactory,
)
from triage.models import Challenge

pytestmark = pytest.mark.django_db


def _set(challenge, **fields):
    def write():
        Challenge.objects.filter(pk=challenge.pk).update(**fields)

    return write


def test_status_resolution_and_stage_owner_are_known_values():
    challenge = ChallengeFactory()

    assert refused(_set(challenge, status="closed"))
    assert refused(_set(challenge, resolution="maybe"))
    assert refused(lambda: EscalationStageFactory(owner="anyone"))
    assert refused(lambda: EscalationStageFactory(timescale_working_days=0))


def test_resolved_when_and_only_when_it_has_its_resolution_reasons_who_and_when():
    challenge = ChallengeFactory()
    manager = UserFactory(role=Role.MANAGER)
    done = {
        "status": "resolved",
        "resolution": "not_upheld",
        "resolution_reasons": "The decision stands for these reasons.",
        "resolved_by": manager,
        "resolved_at": timezone.now(),
    }

    assert not refused(_set(challenge, **done))
    for missing in ("resolution", "resolution_reasons"):
        assert refused(_set(challenge, **(done | {missing: ""})))
    for missing in ("resolved_by", "resolved_at"):
        assert refused(_set(challenge, **(done | {missing: None})))
    assert refused(_set(challenge, resolved_at=timezone.now()))  # open, with a time


def test_decision_changed_when_and_only_when_it_has_an_amendment():
    challenge = ChallengeFactory()
    amendment = DecisionAmendmentFactory(decision=challenge.decision)
    done = {
        "status": "resolved",
        "resolution_reasons": "Changed for these reasons.",
        "resolved_by": UserFactory(role=Role.MANAGER),
        "resolved_at": timezone.now(),
    }

    assert refused(_set(challenge, resolution="decision_changed", **done))
    assert not refused(_set(challenge, resolution="decision_changed", amendment=amendment, **done))
    assert refused(_set(challenge, resolution="upheld", amendment=amendment, **done))


def test_a_stage_is_due_after_it_started_and_one_open_challenge_per_decision():
    challenge = ChallengeFactory()

    assert refused(_set(challenge, stage_due_at=challenge.stage_started_at - timedelta(hours=1)))
    assert refused(lambda: ChallengeFactory(decision=challenge.decision))
    assert not refused(lambda: ChallengeFactory(decision=DecisionFactory()))


def test_one_open_challenge_per_discussion_and_a_changed_outcome_says_what_to():
    discussion = StrategyDiscussionFactory(section47_outcome="single_agency")
    on_it = {"referral": discussion.referral, "decision": None, "discussion": discussion}
    challenge = ChallengeFactory(**on_it, owner=None)

    assert refused(lambda: ChallengeFactory(**on_it, owner=None))
    done = {
        "status": "resolved",
        "resolution_reasons": "Changed for these reasons.",
        "resolved_by": UserFactory(role=Role.MANAGER),
        "resolved_at": timezone.now(),
    }
    assert refused(_set(challenge, resolution="decision_changed", **done))
    assert refused(_set(challenge, resolution="upheld", outcome_changed_to="joint_police", **done))
    assert not refused(
        _set(
            challenge,
            resolution="decision_changed",
            outcome_changed_from="single_agency",
            outcome_changed_to="joint_police",
            **done,
        )
    )
