"""What screening left behind in the demo ``seed_demo`` loads: information requests asked
and answered, screening notes, quality ratings and challenges, each keeping the rules the
real services keep. The referrals themselves are in test_seed_referrals.py."""

import io
import re
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command

from agencies.census import AgencyType
from agencies.models import User
from demo.data import DEMO_MARK
from referrals.models import Outcome, Referral, Status
from triage.models import (
    Challenge,
    InformationRequest,
    QualityRating,
    Resolution,
    ScreeningNote,
)
from triage.services.information import requests_for_partner

# Seeded once for the module (tests/demo/conftest.py): in one pytest-xdist worker, not once
# in each; a group of its own, as every seeded module's is.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-seed-screening")]


def test_open_referrals_wait_on_information_requests_a_couple_overdue(seeded, now):
    waiting = InformationRequest.objects.filter(answered_at=None).select_related("referral")
    overdue = [r for r in waiting if r.is_overdue(now)]

    assert waiting.count() >= 4
    assert all(r.referral.status != Status.DECIDED for r in waiting)  # none left behind
    assert len(overdue) == 2
    assert len({r.referral_id for r in overdue}) == 2
    # The oldest open referral has waited days on police checks.
    oldest = Referral.objects.exclude(status=Status.DECIDED).exclude(assigned_to=None)
    oldest = oldest.order_by("received_at").first()
    assert oldest.information_requests.filter(answered_at=None, due_at__lte=now).exists()
    assert any(not r.is_overdue(now) for r in waiting)
    asked = set(
        InformationRequest.objects.filter(
            referral__status__in=[Status.SCREENING, Status.AWAITING_DECISION]
        ).values_list("agency__type", flat=True)
    )
    assert asked >= {
        AgencyType.HEALTH_VISITING,
        AgencyType.POLICE,
        AgencyType.SCHOOL_NURSING,
        AgencyType.GP,
    }
    assert not InformationRequest.objects.filter(referral__status=Status.RECEIVED).exists()


def test_health_visiting_answers_through_partner_health_and_no_one_else_answers(seeded, now):
    answered = InformationRequest.objects.exclude(answered_at=None).select_related(
        "agency", "answered_by", "referral"
    )

    assert answered.filter(referral__status=Status.AWAITING_DECISION).exists()
    assert answered.filter(referral__status=Status.DECIDED).count() >= 5  # in chronologies
    for request in answered:
        assert request.agency.type == AgencyType.HEALTH_VISITING, request
        assert request.answered_by.username == "partner.health"
        assert request.requested_at < request.answered_at <= min(request.due_at, now)
        assert len(request.answer) > 60 and "{" not in request.answer
        if request.referral.status == Status.DECIDED:
            assert request.answered_at <= request.referral.recommended_at
    partner = User.objects.get(username="partner.health")
    assert requests_for_partner(partner).filter(answered_at=None).exists()  # work waiting


def test_information_requests_keep_the_services_rules(seeded, now):
    for request in InformationRequest.objects.select_related("referral", "requested_by", "agency"):
        referral = request.referral
        assert request.agency.type != AgencyType.CHILDRENS_SOCIAL_CARE
        assert request.agency_id != referral.agency_id  # not asked what they told us
        assert referral.assigned_at <= request.requested_at < request.due_at
        assert request.requested_at <= now
        assert request.requested_by.username in ("screener", "manager")
        assert "{" not in request.question and len(request.question) > 40
    sent = InformationRequest.history.filter(history_type="+", history_change_reason=DEMO_MARK)
    answers = InformationRequest.history.filter(history_type="~", history_change_reason=DEMO_MARK)
    assert sent.count() == InformationRequest.objects.count()
    assert answers.count() == InformationRequest.objects.exclude(answered_at=None).count()
    assert set(answers.values_list("history_user__username", flat=True)) == {"partner.health"}


def test_screening_notes_are_written_while_screening(seeded, now):
    notes = ScreeningNote.objects.select_related("referral", "referral__decision", "author")
    open_screened = Referral.objects.filter(status__in=[Status.SCREENING, Status.AWAITING_DECISION])

    assert notes.count() > 100
    assert (
        open_screened.filter(notes__isnull=False).distinct().count() >= 0.8 * open_screened.count()
    )
    assert notes.filter(author__username="manager").exists()  # the supervisory footprint
    for note in notes:
        referral = note.referral
        assert referral.status != Status.RECEIVED
        assert referral.assigned_at <= note.created_at <= now, note
        if referral.status == Status.DECIDED:
            assert note.created_at <= referral.decision.decided_at
        assert note.author.username in ("screener", "manager")
        assert note.text and "{" not in note.text
    assert len({n.text for n in notes}) > 50
    assert (
        ScreeningNote.history.filter(history_type="+", history_change_reason=DEMO_MARK).count()
        == notes.count()
    )


def test_most_screened_referrals_are_rated_with_a_realistic_spread(seeded, now):
    ratings = list(QualityRating.objects.select_related("referral", "referral__agency"))
    screened = Referral.objects.exclude(status=Status.RECEIVED)

    assert len(ratings) >= 0.75 * screened.count()
    assert not QualityRating.objects.filter(referral__status=Status.RECEIVED).exists()
    scores = Counter(r.score for r in ratings)
    assert len(scores) >= 5 and scores[6] < 0.4 * len(ratings)
    by_agency = defaultdict(list)
    for rating in ratings:
        referral = rating.referral
        assert rating.rated_by.username == "screener"
        assert referral.assigned_at <= rating.rated_at <= now
        if referral.recommended_at:
            assert rating.rated_at <= referral.recommended_at
        if rating.score <= 3:
            assert rating.comment, rating  # a low score says what was missing
        assert "{" not in rating.comment
        by_agency[referral.agency.type if referral.agency else "caller"].append(rating.score)
    mean = {kind: sum(s) / len(s) for kind, s in by_agency.items()}
    # Police notifications are incident-led; schools know the child's day.
    assert mean[AgencyType.POLICE] < mean[AgencyType.SCHOOL] - 0.5
    assert QualityRating.history.filter(
        history_type="+", history_change_reason=DEMO_MARK
    ).count() == len(ratings)
    assert not QualityRating.history.filter(history_date__gt=now).exists()
    assert not ScreeningNote.history.filter(history_date__gt=now).exists()
    assert not InformationRequest.history.filter(history_date__gt=now).exists()


# --- Challenges: at different stages and resolved, each on a decision its reason
# disagrees with (a reason asking for more than the decision gave is written against
# a decision that gave less).

BELOW_ASSESSMENT = {Outcome.NO_FURTHER_ACTION, Outcome.SIGNPOST, Outcome.EARLY_HELP}


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
