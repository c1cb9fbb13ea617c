"""The demo's challenges: at different stages and resolved, each on a decision its reason
disagrees with (a reason that asks for more than the decision gave is written against a
decision that gave less)."""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from agencies.models import User
from referrals.models import Outcome, Referral, Status
from triage.models import Challenge, Resolution

# Seeded once for the module (the fixture in conftest): in one pytest-xdist worker.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-seed-challenges")]

BELOW_ASSESSMENT = {Outcome.NO_FURTHER_ACTION, Outcome.SIGNPOST, Outcome.EARLY_HELP}


@pytest.fixture
def now(seeded):
    return timezone.now()


def test_each_challenge_disagrees_with_the_decision_it_is_on(seeded):
    on_decisions = list(
        Challenge.objects.filter(decision__isnull=False).select_related("decision", "raised_by")
    )
    first = max(on_decisions, key=lambda c: c.raised_at)  # the newest: the first listed

    assert first.raised_by.username == "referrer.school"
    assert "universal services alone" in first.reason
    assert first.decision.outcome in {Outcome.NO_FURTHER_ACTION, Outcome.SIGNPOST}
    # Nor does it say "she" of a boy: whichever child's referral it is written against.
    assert not re.search(r"\b(she|her|he|his|him)\b", first.reason, re.I)
    for challenge in on_decisions:
        outcome = challenge.decision.outcome
        if "child and family assessment" in challenge.reason:
            assert outcome in BELOW_ASSESSMENT, challenge.reason
        if "early help is enough" in challenge.reason:
            assert outcome == Outcome.EARLY_HELP, challenge.reason
        if challenge.resolution == Resolution.NOT_UPHELD:  # "accepted early help"
            assert outcome == Outcome.EARLY_HELP
        if challenge.resolution == Resolution.DECISION_CHANGED:  # to an assessment
            assert outcome in BELOW_ASSESSMENT
            assert challenge.amendment.outcome == Outcome.ASSESSMENT_S17


def test_challenges_at_different_stages_and_resolved_are_there(seeded, now):
    from triage.models import Challenge

    challenges = list(Challenge.objects.select_related("stage", "referral", "raised_by"))
    open_ = [c for c in challenges if c.status == "open"]

    assert {c.stage.order for c in open_} == {1, 2}
    assert any(c.stage_due_at <= now for c in open_)  # one past its stage's timescale
    assert any(c.stage_due_at > now for c in open_)
    assert {c.resolution for c in challenges} >= {"not_upheld", "decision_changed"}
    changed = next(c for c in challenges if c.resolution == "decision_changed")
    assert changed.decision.current == changed.amendment
    for challenge in challenges:
        assert challenge.referral.agency_id == challenge.raised_by.agency_id
        challenged = challenge.discussion.held_at if challenge.discussion else None
        assert challenge.raised_at > (challenged or challenge.decision.decided_at)
        assert challenge.raised_at <= now
    # One on a strategy discussion's outcome, at its first stage, owned by its convener.
    [on_outcome] = [c for c in challenges if c.discussion_id]
    assert on_outcome.is_open and on_outcome.owner == on_outcome.discussion.convened_by
    # A second run adds none.
    call_command("seed_demo", stdout=io.StringIO())
    assert Challenge.objects.count() == len(challenges)
    # referrer.school has a decided referral left to challenge.
    school = User.objects.get(username="referrer.school")
    assert Referral.objects.filter(referrer=school, status=Status.DECIDED, challenges=None).exists()
