"""Challenges to decisions and to strategy discussions' outcomes: raise, respond, escalate
to the next stage, resolve.

A challenge is raised by the referral's referrer, their agency lead or another
professional involved (a partner agency asked for information, or at the discussion)
against a decided referral's decision, or against the section 47 outcome of a
discussion about it; it starts at the first active escalation stage, due after that
stage's timescale in working days, and moves up the stages until a manager (at the last
stage, the head of service, once configured) resolves it. A
"decision changed" resolution is recorded as an amendment of the original decision, in
the same transaction; a changed discussion outcome is recorded on the discussion (with
its history) and on the challenge, from what to what.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from agencies.policy import Capability, can
from audit.models import EventKind
from audit.services import record_event
from core.clock import add_working_days
from core.exceptions import DomainError, InvalidState, NotPermitted
from referrals.models import Referral
from referrals.selectors import referrals_visible_to
from triage.models import (
    Attendee,
    Challenge,
    ChallengeResponse,
    ChallengeStatus,
    Decision,
    DecisionAmendment,
    EscalationStage,
    InformationRequest,
    Resolution,
    Section47Outcome,
    StageOwner,
    StrategyDiscussion,
)
from triage.services import notices
from triage.services.decisions import amend_decision
from triage.services.strategy import change_outcome_on_challenge

# A reason is what the front door must answer: a sentence, not a word.
MIN_REASON_WORDS = 5
# A decision changed on challenge is amended with the challenge's reasons as its reason.
AMENDMENT_REASON = "Changed on challenge: {}"
AMENDMENT_REASON_MAX = DecisionAmendment._meta.get_field("reason").max_length


def _words(text: str, field: str, minimum: int, message: str, errors: dict) -> str:
    text = (text or "").strip()
    if len(text.split()) < minimum:
        errors[field] = [f"{message} (at least {minimum} words)"]
    return text


def challenges_visible_to(user) -> QuerySet[Challenge]:
    """Managers and auditors: every challenge; referrers and agency leads: those on the
    referrals they may see (their own; their agency's); a partner agency's practitioner:
    those they raised; everyone else: none."""
    if can(user, Capability.VIEW_ALL_CHALLENGES):
        return Challenge.objects.all()
    if can(user, Capability.RAISE_CHALLENGE):
        return Challenge.objects.filter(
            Q(referral__in=referrals_visible_to(user)) | Q(raised_by=user)
        )
    return Challenge.objects.none()


def referrals_challengeable_by(user) -> QuerySet[Referral]:
    """The referrals whose decision (or discussions' outcomes) this user may challenge:
    for referrers and agency leads, those they see (their own; their agency's); for a
    partner agency's practitioner, a professional involved, those their agency was asked
    for information about or attended a strategy discussion about."""
    if not can(user, Capability.RAISE_CHALLENGE):
        return Referral.objects.none()
    scope = Q(pk__in=referrals_visible_to(user).values("pk"))
    if can(user, Capability.ANSWER_INFORMATION_REQUESTS) and user.agency_id:
        asked = InformationRequest.objects.filter(agency_id=user.agency_id)
        attended = Attendee.objects.filter(agency_id=user.agency_id, attended=True)
        scope |= Q(pk__in=asked.values("referral_id"))
        scope |= Q(pk__in=attended.values("discussion__referral_id"))
    return Referral.objects.filter(scope)


def challenge_options(*, user, referral) -> dict:
    """What someone involved may challenge about a referral, for the page they see it
    on: the decision now (its outcome), and discussions' section 47 outcomes, each with
    the latest challenge to it they can follow."""
    if not referrals_challengeable_by(user).filter(pk=referral.pk).exists():
        return {"decision": None, "decision_challenge": None, "discussions": []}
    visible = challenges_visible_to(user).select_related("stage").order_by("-raised_at", "-pk")
    decision = Decision.objects.filter(referral=referral).first()
    discussions = [
        (discussion, visible.filter(discussion=discussion).first())
        for discussion in challengeable_discussions_for(user).filter(referral=referral)
    ]
    return {
        "decision": decision.current if decision else None,
        "decision_challenge": visible.filter(decision=decision).first() if decision else None,
        "discussions": discussions,
    }


def is_involved_professional(user) -> bool:
    """A partner agency's practitioner, who sees a referral only through what they were
    asked or attended: they are shown outcomes, never what the referrer was told."""
    return can(user, Capability.RAISE_CHALLENGE) and not can(user, Capability.VIEW_OWN_REFERRALS)


def first_stage() -> EscalationStage | None:
    return EscalationStage.objects.filter(is_active=True).order_by("order").first()


def next_stage(stage: EscalationStage) -> EscalationStage | None:
    return (
        EscalationStage.objects.filter(is_active=True, order__gt=stage.order)
        .order_by("order")
        .first()
    )


def _owner_for(stage: EscalationStage, challenge: Challenge):
    """The named person who answers at a stage, where the stage names one: the manager
    who made the decision or convened the discussion; the head of service when exactly
    one is configured."""
    if stage.owner == StageOwner.DECISION_MAKER:
        maker = (
            challenge.discussion.convened_by
            if challenge.discussion_id
            else challenge.decision.decided_by
        )
        return maker if maker.is_active else None
    if stage.owner == StageOwner.HEAD_OF_SERVICE:
        heads = notices.heads_of_service()
        return heads[0] if len(heads) == 1 else None
    return None


def _enter_stage(challenge: Challenge, stage: EscalationStage, now) -> None:
    challenge.stage = stage
    challenge.stage_started_at = now
    challenge.stage_due_at = add_working_days(now, stage.timescale_working_days)
    challenge.owner = _owner_for(stage, challenge)


def ensure_challengeable(referral) -> Decision:
    """The decision a challenge to this referral would be against: InvalidState when it
    has none yet, or when it is already being challenged."""
    decision = Decision.objects.filter(referral=referral).first()
    if decision is None:
        raise InvalidState(
            f"{referral.reference} has not been decided yet: only a decision can be challenged"
        )
    if Challenge.objects.filter(decision=decision, status=ChallengeStatus.OPEN).exists():
        raise InvalidState(
            f"The decision on {referral.reference} is already being challenged: "
            "follow that challenge in Your referrals"
        )
    return decision


def challengeable_discussions_for(user) -> QuerySet[StrategyDiscussion]:
    """Discussions whose section 47 outcome this user may challenge: those with an
    outcome, about referrals the user may see, for those who raise challenges."""
    if not can(user, Capability.RAISE_CHALLENGE):
        return StrategyDiscussion.objects.none()
    return StrategyDiscussion.objects.filter(referral__in=referrals_challengeable_by(user)).exclude(
        section47_outcome=""
    )


def ensure_discussion_challengeable(referral, discussion_id) -> StrategyDiscussion:
    """The discussion of this referral whose outcome a challenge would be against:
    InvalidState when it has no outcome yet, or is already being challenged;
    StrategyDiscussion.DoesNotExist when the referral has no such discussion."""
    discussion = StrategyDiscussion.objects.get(referral=referral, pk=discussion_id)
    if not discussion.section47_outcome:
        raise InvalidState(
            "The strategy discussion has no section 47 outcome yet: only an outcome can "
            "be challenged"
        )
    if Challenge.objects.filter(discussion=discussion, status=ChallengeStatus.OPEN).exists():
        raise InvalidState(
            f"The strategy discussion's outcome on {referral.reference} is already being "
            "challenged: follow that challenge in Your referrals"
        )
    return discussion


@transaction.atomic
def raise_challenge(
    *, referral_id: int, by, reason: str, discussion_id: int | None = None
) -> Challenge:
    """The referrer, their agency lead or another professional involved disagrees with
    the decision on a referral or, with ``discussion_id``, with the section 47 outcome of
    a discussion about it."""
    if not can(by, Capability.RAISE_CHALLENGE):
        raise NotPermitted(
            "Only the referrer, their agency lead or another professional involved may "
            "raise a challenge"
        )
    # Referral.DoesNotExist for one the user may not challenge: the caller answers 404.
    referral = referrals_challengeable_by(by).select_for_update().get(pk=referral_id)
    decision = discussion = None
    if discussion_id is None:
        decision = ensure_challengeable(referral)
        subject = "the decision"
    else:
        discussion = ensure_discussion_challengeable(referral, discussion_id)
        subject = "the strategy discussion's outcome"
    errors: dict[str, list[str]] = {}
    text = _words(
        reason, "reason", MIN_REASON_WORDS, f"Say why you disagree with {subject}", errors
    )
    if errors:
        raise DomainError(errors)
    stage = first_stage()
    if stage is None:
        raise InvalidState("No escalation stages are set up: call the front door")
    now = timezone.now()
    challenge = Challenge(
        referral=referral,
        decision=decision,
        discussion=discussion,
        raised_by=by,
        raised_at=now,
        reason=text,
    )
    _enter_stage(challenge, stage, now)
    challenge._history_user = by
    try:
        with transaction.atomic():
            challenge.save()
    except IntegrityError:
        # One open challenge a subject: someone else at the agency raised one just now.
        raise InvalidState(f"{subject.capitalize()} is already being challenged") from None
    record_event(
        kind=EventKind.CHALLENGE_RAISED,
        by=by,
        referral=referral,
        object_type="challenge",
        object_id=challenge.pk,
        detail={"stage": stage.order, "subject": challenge.subject},
    )
    notices.challenge_stage_started(challenge, first=True)
    return challenge


def _open_challenge_for_update(challenge_id: int, by) -> Challenge:
    if not can(by, Capability.MANAGE_CHALLENGES):
        raise NotPermitted("Only managers respond to, escalate and resolve challenges")
    challenge = (
        Challenge.objects.select_for_update(of=("self",))
        .select_related("referral", "decision", "discussion", "stage")
        .get(pk=challenge_id)
    )
    if challenge.status != ChallengeStatus.OPEN:
        raise InvalidState("This challenge has been resolved")
    ensure_may_act_at_stage(challenge, by)
    return challenge


def may_act_at_stage(challenge: Challenge, user) -> bool:
    """Any manager answers at the first two stages (one covers for another); at the head
    of service's stage, once heads of service are configured, only they do."""
    if not can(user, Capability.MANAGE_CHALLENGES):
        return False
    if challenge.stage.owner == StageOwner.HEAD_OF_SERVICE:
        heads = notices.heads_of_service()
        return not heads or user in heads
    return True


def ensure_may_act_at_stage(challenge: Challenge, user) -> None:
    if not may_act_at_stage(challenge, user):
        raise NotPermitted(
            f"At stage {challenge.stage.order} ({challenge.stage.name}) the head of service "
            "responds to, and resolves, the challenge"
        )


@transaction.atomic
def respond(*, challenge_id: int, by, text: str) -> ChallengeResponse:
    """A response at the current stage, which the person who raised it reads."""
    challenge = _open_challenge_for_update(challenge_id, by)
    errors: dict[str, list[str]] = {}
    text = _words(text, "text", 3, "Write the response", errors)
    if errors:
        raise DomainError(errors)
    return _just_sent(challenge, by=by, text=text) or _add_response(challenge, by=by, text=text)


def _just_sent(challenge: Challenge, *, by, text: str) -> ChallengeResponse | None:
    """The challenge's latest response, when it is this one from this person at this
    stage: the same form sent again (a double click, or the back button) is recorded,
    and told, once."""
    latest = challenge.responses.order_by("-at", "-pk").first()
    if latest and latest.by_id == by.pk and latest.stage_id == challenge.stage_id:
        return latest if latest.text == text else None
    return None


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
    """The person who raised the challenge (or, for a referrer, their agency lead) adds
    to it at the current stage (new information, or why the answer so far does not settle it); the
    stage's owner is told."""
    if not can(by, Capability.RAISE_CHALLENGE):
        raise NotPermitted("Only the person who raised a challenge, or their lead, adds to it")
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
    if sent := _just_sent(challenge, by=by, text=text):
        return sent
    response = _add_response(challenge, by=by, text=text, **{"from": "referrer"})
    notices.challenge_reply(challenge, response)
    return response


@transaction.atomic
def escalate(*, challenge_id: int, by, reason: str, from_stage: int | None = None) -> Challenge:
    """Move a challenge to the next stage, recording why as a response at this one.
    With ``from_stage`` (the stage the manager saw), only from that stage: the same
    escalation sent twice moves it once, not on past the next stage."""
    challenge = _open_challenge_for_update(challenge_id, by)
    if from_stage is not None and challenge.stage.order != from_stage:
        raise InvalidState(
            f"This challenge has already been escalated to stage {challenge.stage.order} "
            f"({challenge.stage.name})"
        )
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
    section47_outcome: str = "",
    no_enquiry_reason: str = "",
) -> Challenge:
    """Close a challenge with its outcome and reasons. ``decision_changed`` amends the
    original decision (outcome, threshold level, rationale, feedback), with the
    challenge's reasons as the amendment's reason; on a discussion's outcome, it records
    the new section 47 outcome (and, for no enquiry, why) on the discussion."""
    challenge = _open_challenge_for_update(challenge_id, by)
    errors: dict[str, list[str]] = {}
    if resolution not in Resolution.values:
        errors["resolution"] = ["Choose how the challenge is resolved"]
    text = _words(reasons, "reasons", 5, "Give the reasons, for the person who raised it", errors)
    changes_discussion = challenge.discussion_id and resolution == Resolution.DECISION_CHANGED
    if changes_discussion:
        if section47_outcome not in Section47Outcome.values:
            errors["section47_outcome"] = ["Choose the new section 47 outcome"]
        elif section47_outcome == challenge.discussion.section47_outcome:
            errors["section47_outcome"] = [
                "Choose a different outcome, or resolve it as upheld or not upheld"
            ]
    changes_decision = not challenge.discussion_id and resolution == Resolution.DECISION_CHANGED
    if changes_decision and len(AMENDMENT_REASON.format(text)) > AMENDMENT_REASON_MAX:
        # They become the amendment's reason, which holds no more: none of it cut off.
        errors["reasons"] = [
            "When the decision is changed, the reasons become the amendment's reason: "
            f"keep them to {AMENDMENT_REASON_MAX - len(AMENDMENT_REASON.format(''))} characters"
        ]
    if errors:
        raise DomainError(errors)
    amendment = None
    if changes_discussion:
        challenge.outcome_changed_from = challenge.discussion.section47_outcome
        change_outcome_on_challenge(
            discussion_id=challenge.discussion_id,
            by=by,
            section47_outcome=section47_outcome,
            no_enquiry_reason=no_enquiry_reason,
            challenge_id=challenge.pk,
        )
        challenge.outcome_changed_to = section47_outcome
    elif changes_decision:
        amendment = amend_decision(
            decision_id=challenge.decision_id,
            by=by,
            outcome=outcome,
            threshold_level=threshold_level,
            rationale=rationale,
            reason=AMENDMENT_REASON.format(text),
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
