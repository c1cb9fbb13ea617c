"""Challenges to decisions: raise, respond, escalate to the next stage, resolve.

A challenge is raised by the referral's referrer or their agency lead against a decided
referral; it starts at the first active escalation stage, due after that stage's
timescale in working days, and moves up the stages until a manager resolves it. A
"decision changed" resolution is recorded as an amendment of the original decision, in
the same transaction.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from agencies.policy import Capability, can
from audit.models import EventKind
from audit.services import record_event
from core.clock import add_working_days
from core.exceptions import DomainError, InvalidState, NotPermitted
from referrals.selectors import referrals_visible_to
from triage.models import (
    Challenge,
    ChallengeResponse,
    ChallengeStatus,
    Decision,
    EscalationStage,
    Resolution,
    StageOwner,
)
from triage.services import notices
from triage.services.decisions import amend_decision

# A reason is what the front door must answer: a sentence, not a word.
MIN_REASON_WORDS = 5


def _words(text: str, field: str, minimum: int, message: str, errors: dict) -> str:
    text = (text or "").strip()
    if len(text.split()) < minimum:
        errors[field] = [f"{message} (at least {minimum} words)"]
    return text


def challenges_visible_to(user) -> QuerySet[Challenge]:
    """Managers and auditors: every challenge; referrers and agency leads: those on the
    referrals they may see (their own; their agency's); everyone else: none."""
    if can(user, Capability.VIEW_ALL_CHALLENGES):
        return Challenge.objects.all()
    if can(user, Capability.RAISE_CHALLENGE):
        return Challenge.objects.filter(referral__in=referrals_visible_to(user))
    return Challenge.objects.none()


def first_stage() -> EscalationStage | None:
    return EscalationStage.objects.filter(is_active=True).order_by("order").first()


def next_stage(stage: EscalationStage) -> EscalationStage | None:
    return (
        EscalationStage.objects.filter(is_active=True, order__gt=stage.order)
        .order_by("order")
        .first()
    )


def _owner_for(stage: EscalationStage, decision: Decision):
    """The named person who answers at a stage, where the stage names one."""
    if stage.owner == StageOwner.DECISION_MAKER and decision.decided_by.is_active:
        return decision.decided_by
    return None


def _enter_stage(challenge: Challenge, stage: EscalationStage, now) -> None:
    challenge.stage = stage
    challenge.stage_started_at = now
    challenge.stage_due_at = add_working_days(now, stage.timescale_working_days)
    challenge.owner = _owner_for(stage, challenge.decision)


def ensure_challengeable(referral) -> Decision:
    """The decision a challenge to this referral would be against: InvalidState when it
    has none yet, or when it is already being challenged."""
    decision = Decision.objects.filter(referral=referral).first()
    if decision is None:
        raise InvalidState(
            f"{referral.reference} has not been decided yet: only a decision can be challenged"
        )
    if Challenge.objects.filter(referral=referral, status=ChallengeStatus.OPEN).exists():
        raise InvalidState(
            f"The decision on {referral.reference} is already being challenged: "
            "follow that challenge in Your referrals"
        )
    return decision


@transaction.atomic
def raise_challenge(*, referral_id: int, by, reason: str) -> Challenge:
    """The referrer, or their agency lead, disagrees with the decision on a referral."""
    if not can(by, Capability.RAISE_CHALLENGE):
        raise NotPermitted("Only the referrer or their agency lead may challenge a decision")
    # Referral.DoesNotExist for one the user may not see: the caller answers 404.
    referral = referrals_visible_to(by).select_for_update().get(pk=referral_id)
    decision = ensure_challengeable(referral)
    errors: dict[str, list[str]] = {}
    text = _words(
        reason, "reason", MIN_REASON_WORDS, "Say why you disagree with the decision", errors
    )
    if errors:
        raise DomainError(errors)
    stage = first_stage()
    if stage is None:
        raise InvalidState("No escalation stages are set up: call the front door")
    now = timezone.now()
    challenge = Challenge(
        referral=referral, decision=decision, raised_by=by, raised_at=now, reason=text
    )
    _enter_stage(challenge, stage, now)
    challenge._history_user = by
    try:
        with transaction.atomic():
            challenge.save()
    except IntegrityError:
        # One open challenge a referral: someone else at the agency raised one just now.
        raise InvalidState(
            f"The decision on {referral.reference} is already being challenged"
        ) from None
    record_event(
        kind=EventKind.CHALLENGE_RAISED,
        by=by,
        referral=referral,
        object_type="challenge",
        object_id=challenge.pk,
        detail={"stage": stage.order},
    )
    notices.challenge_stage_started(challenge, first=True)
    return challenge


def _open_challenge_for_update(challenge_id: int, by) -> Challenge:
    if not can(by, Capability.MANAGE_CHALLENGES):
        raise NotPermitted("Only managers respond to, escalate and resolve challenges")
    challenge = (
        Challenge.objects.select_for_update(of=("self",))
        .select_related("referral", "decision", "stage")
        .get(pk=challenge_id)
    )
    if challenge.status != ChallengeStatus.OPEN:
        raise InvalidState("This challenge has been resolved")
    return challenge


@transaction.atomic
def respond(*, challenge_id: int, by, text: str) -> ChallengeResponse:
    """A response at the current stage, which the person who raised it reads."""
    challenge = _open_challenge_for_update(challenge_id, by)
    errors: dict[str, list[str]] = {}
    text = _words(text, "text", 3, "Write the response", errors)
    if errors:
        raise DomainError(errors)
    return _add_response(challenge, by=by, text=text)


def _add_response(challenge: Challenge, *, by, text: str, **detail) -> ChallengeResponse:
    """A response at the challenge's current stage, with its history and audit event."""
    response = ChallengeResponse(
        challenge=challenge, stage=challenge.stage, by=by, at=timezone.now(), text=text
    )
    response._history_user = by
    response.save()
    record_event(
        kind=EventKind.CHALLENGE_RESPONDED,
        by=by,
        referral=challenge.referral,
        object_type="challenge",
        object_id=challenge.pk,
        detail={"stage": challenge.stage.order, **detail},
    )
    return response


@transaction.atomic
def reply(*, challenge_id: int, by, text: str) -> ChallengeResponse:
    """The person who raised the challenge, or their agency lead, adds to it at the
    current stage (new information, or why the answer so far does not settle it); the
    stage's owner is told."""
    if not can(by, Capability.RAISE_CHALLENGE):
        raise NotPermitted("Only the referrer or their agency lead add to a challenge")
    # Challenge.DoesNotExist for one the user may not see: the caller answers 404.
    challenge = (
        challenges_visible_to(by)
        .select_for_update(of=("self",))
        .select_related("referral", "stage", "owner")
        .get(pk=challenge_id)
    )
    if challenge.status != ChallengeStatus.OPEN:
        raise InvalidState("This challenge has been resolved: raise a new one if you disagree")
    errors: dict[str, list[str]] = {}
    text = _words(text, "text", 3, "Write what you want to add", errors)
    if errors:
        raise DomainError(errors)
    response = _add_response(challenge, by=by, text=text, **{"from": "referrer"})
    notices.challenge_reply(challenge, response)
    return response


@transaction.atomic
def escalate(*, challenge_id: int, by, reason: str) -> Challenge:
    """Move a challenge to the next stage, recording why as a response at this one."""
    challenge = _open_challenge_for_update(challenge_id, by)
    stage = next_stage(challenge.stage)
    if stage is None:
        raise InvalidState("This challenge is at the last stage: resolve it")
    errors: dict[str, list[str]] = {}
    text = _words(reason, "reason", 3, "Say why it is escalated", errors)
    if errors:
        raise DomainError(errors)
    now = timezone.now()
    previous = challenge.stage
    response = ChallengeResponse(
        challenge=challenge, stage=previous, by=by, at=now, text=f"Escalated: {text}"
    )
    response._history_user = by
    response.save()
    _enter_stage(challenge, stage, now)
    challenge._history_user = by
    challenge.save()
    record_event(
        kind=EventKind.CHALLENGE_ESCALATED,
        by=by,
        referral=challenge.referral,
        object_type="challenge",
        object_id=challenge.pk,
        detail={"from_stage": previous.order, "to_stage": stage.order},
    )
    notices.challenge_stage_started(challenge, first=False)
    return challenge


@transaction.atomic
def resolve(
    *,
    challenge_id: int,
    by,
    resolution: str,
    reasons: str,
    outcome: str = "",
    threshold_level=None,
    rationale: str = "",
    feedback: str = "",
) -> Challenge:
    """Close a challenge with its outcome and reasons. ``decision_changed`` amends the
    original decision (outcome, threshold level, rationale, feedback), with the
    challenge's reasons as the amendment's reason."""
    challenge = _open_challenge_for_update(challenge_id, by)
    errors: dict[str, list[str]] = {}
    if resolution not in Resolution.values:
        errors["resolution"] = ["Choose how the challenge is resolved"]
    text = _words(reasons, "reasons", 5, "Give the reasons, for the person who raised it", errors)
    if errors:
        raise DomainError(errors)
    amendment = None
    if resolution == Resolution.DECISION_CHANGED:
        amendment = amend_decision(
            decision_id=challenge.decision_id,
            by=by,
            outcome=outcome,
            threshold_level=threshold_level,
            rationale=rationale,
            reason=f"Changed on challenge: {text}",
            feedback=feedback,
        )
    now = timezone.now()
    challenge.status = ChallengeStatus.RESOLVED
    challenge.resolution = resolution
    challenge.resolution_reasons = text
    challenge.amendment = amendment
    challenge.resolved_by = by
    challenge.resolved_at = now
    challenge._history_user = by
    challenge.save()
    record_event(
        kind=EventKind.CHALLENGE_RESOLVED,
        by=by,
        referral=challenge.referral,
        object_type="challenge",
        object_id=challenge.pk,
        detail={"resolution": resolution, "stage": challenge.stage.order},
    )
    notices.challenge_resolved(challenge)
    return challenge
