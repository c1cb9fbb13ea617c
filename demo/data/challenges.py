"""Demo challenges: professionals disagreeing with decisions on their demo referrals, at
different escalation stages, so that Your referrals and the managers' list of open
challenges have something to show. Synthetic, written through the models with history,
dated as if done then; once."""

from __future__ import annotations

from datetime import datetime, timedelta

from agencies.models import User
from core.clock import add_working_days
from referrals.models import Outcome, Referral, Status
from triage.models import (
    Challenge,
    ChallengeResponse,
    ChallengeStatus,
    DecisionAmendment,
    EscalationStage,
    Resolution,
    ThresholdLevel,
)
from triage.services.decisions import compose_feedback

# The decisions a professional asks to be raised: each reason below says what the decision
# did not do, so it is written against one of these, not whatever the newest decision was.
BELOW_ASSESSMENT = (Outcome.NO_FURTHER_ACTION, Outcome.SIGNPOST, Outcome.EARLY_HELP)
UNIVERSAL = (Outcome.NO_FURTHER_ACTION, Outcome.SIGNPOST)

# (who raises it, how many days ago, stages it went through (1-based), resolution or "",
# the decisions its reason fits). The most recent school referral is left for people to
# challenge themselves.
PLAN = [
    ("referrer.school", 1, [1], "", UNIVERSAL),  # at the first stage, on time
    ("referrer.police", 9, [1], "", BELOW_ASSESSMENT),  # at the first stage, past its timescale
    ("referrer.health", 12, [1, 2], "", (Outcome.EARLY_HELP,)),  # escalated to the managers
    # Not upheld: the family have accepted early help.
    ("lead.school", 30, [1, 2], Resolution.NOT_UPHELD, (Outcome.EARLY_HELP,)),
    # Changed to a child and family assessment.
    ("referrer.police", 60, [1], Resolution.DECISION_CHANGED, BELOW_ASSESSMENT),
]

REASONS = {
    # Whichever child it is about: the decision it is written against is chosen, not the child.
    "referrer.school": "Since we referred, the child has come to school hungry every day "
    "and has started hiding food in their bag. We do not think universal services alone "
    "will change what happens at home.",
    "referrer.police": "We have attended the address twice more since the referral, both "
    "times for shouting late at night with the children present. We think this needs a "
    "child and family assessment.",
    "referrer.health": "The baby has missed two more weighing appointments and mum has told "
    "us she is struggling. We disagree that early help is enough at this point.",
    "lead.school": "As the school's safeguarding lead I have looked at the three referrals "
    "we have made this year and see a pattern of neglect that the decision does not weigh.",
}
RESPONSES = [
    "I have looked again at the referral and the earlier history and would like to talk "
    "it through with you: I will call you tomorrow morning.",
    "We spoke and did not agree; escalated to the front door managers as the procedure says.",
]
NOT_UPHELD = (
    "We looked at the three referrals together. The family have accepted early help and "
    "attendance has improved; the decision stands, and the early help worker will share "
    "the plan with the school."
)
CHANGED = (
    "The further call-outs change the picture: the decision is changed to a child and "
    "family assessment, and a social worker has been allocated."
)


def _stamp(obj, *, at: datetime, by, mark: str) -> None:
    obj._history_date = at
    obj._history_user = by
    obj._change_reason = mark


def demo_challenges_exist(mark: str) -> bool:
    return Challenge.history.filter(history_type="+", history_change_reason=mark).exists()


def seed_demo_challenges(*, referrals, now: datetime, mark: str) -> int:
    """Challenge a few decided demo referrals (``referrals``: the demo ones). Returns how
    many challenges were written; none when the demo challenges are already there."""
    if demo_challenges_exist(mark):
        return 0
    stages = {s.order: s for s in EscalationStage.objects.filter(is_active=True)}
    manager = User.objects.get(username="manager")
    users = {u.username: u for u in User.objects.filter(username__in={p[0] for p in PLAN})}
    used: set[int] = set()
    written = 0
    for username, days_ago, path, resolution, fits in PLAN:
        who = users.get(username)
        if who is None or not set(path) <= set(stages):
            continue
        raised_at = now - timedelta(days=days_ago)
        referral = (
            Referral.objects.filter(
                pk__in=referrals.values("pk"),
                status=Status.DECIDED,
                agency_id=who.agency_id,
                decision__decided_at__lt=raised_at,
                decision__outcome__in=fits,
                challenges=None,
            )
            .exclude(pk__in=used)
            .select_related("decision")
            .order_by("-decision__decided_at")
        )
        # Leave the newest of them for people to try.
        candidates = list(referral[:2])
        if len(candidates) < 2:
            continue
        referral = candidates[1]
        used.add(referral.pk)
        _write(referral, who, raised_at, path, resolution, stages, manager, now, mark)
        written += 1
    return written


def _write(referral, who, raised_at, path, resolution, stages, manager, now, mark) -> None:
    decision = referral.decision
    first = stages[path[0]]
    challenge = Challenge(
        referral=referral,
        decision=decision,
        raised_by=who,
        raised_at=raised_at,
        reason=REASONS[who.username],
        stage=first,
        stage_started_at=raised_at,
        stage_due_at=add_working_days(raised_at, first.timescale_working_days),
        owner=decision.decided_by,
    )
    _stamp(challenge, at=raised_at, by=who, mark=mark)
    challenge.save()
    at = raised_at
    for index, order in enumerate(path[1:]):
        at = at + timedelta(days=2)
        for text in RESPONSES[: 2 if index == 0 else 1]:
            response = ChallengeResponse(
                challenge=challenge, stage=challenge.stage, by=manager, at=at, text=text
            )
            _stamp(response, at=at, by=manager, mark=mark)
            response.save()
        stage = stages[order]
        challenge.stage, challenge.stage_started_at, challenge.owner = stage, at, None
        challenge.stage_due_at = add_working_days(at, stage.timescale_working_days)
        _stamp(challenge, at=at, by=manager, mark=mark)
        challenge.save()
    if not resolution:
        return
    at = min(at + timedelta(days=3), now)
    challenge.status, challenge.resolution = ChallengeStatus.RESOLVED, resolution
    challenge.resolved_by, challenge.resolved_at = manager, at
    if resolution == Resolution.DECISION_CHANGED:
        challenge.resolution_reasons = CHANGED
        level = ThresholdLevel.objects.get(level=3)
        amendment = DecisionAmendment(
            decision=decision,
            outcome=Outcome.ASSESSMENT_S17,
            threshold_level=level,
            rationale="Further police call-outs since the referral show a pattern of "
            "domestic abuse with the children present: assessment needed.",
            reason=f"Changed on challenge: {CHANGED}",
            feedback=compose_feedback(
                outcome=Outcome.ASSESSMENT_S17,
                reasons="The further call-outs you told us about change the picture.",
            ),
            amended_by=manager,
            amended_at=at,
        )
        _stamp(amendment, at=at, by=manager, mark=mark)
        amendment.save()
        challenge.amendment = amendment
    else:
        challenge.resolution_reasons = NOT_UPHELD
    _stamp(challenge, at=at, by=manager, mark=mark)
    challenge.save()
