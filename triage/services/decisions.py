"""Managers' decisions, their amendments, and the feedback the referrer reads."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.policy import Capability, can
from audit.models import EventKind
from audit.services import record_event
from core.clock import ClockState, read_clock
from core.exceptions import AlreadyDecided, DomainError, NotPermitted
from referrals.models import NARRATIVE_MAX, Outcome, Referral, Status
from triage import footprint
from triage.models import Decision, DecisionAmendment, SupportService, ThresholdLevel
from triage.repeat_flags import repeat_flags, with_repeat_flags
from triage.services import notices

# A rationale is the supervisory footprint on the decision: a sentence or two at least.
MIN_RATIONALE_CHARS = 40
MIN_RATIONALE_WORDS = 8
# How the child's lived experience informed the decision needs the same substance.
MIN_LIVED_EXPERIENCE_CHARS = MIN_RATIONALE_CHARS
MIN_LIVED_EXPERIENCE_WORDS = MIN_RATIONALE_WORDS
# A reason to go on despite a warning, or for an outcome unusual for the level.
MIN_REASON_WORDS = 4
# What the referrer is told about why: a sentence, not a word.
MIN_FEEDBACK_WORDS = 4
# ThresholdLevel.level is a PositiveSmallIntegerField.
LEVEL_MAX = 32767


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


# The longest each text may be, the service's own bound (the forms' and the API's are
# the same), so that no caller stores more than the record holds: each column's bound;
# the reasons the referrer is told, composed into feedback (which has none), the forms'.
DECISION_TEXT_MAX = {
    name: _max_length(Decision, name)
    for name in (
        "rationale",
        "lived_experience_impact",
        "onward_referrals",
        "late_reason",
        "proceed_reason",
        "threshold_reason",
    )
} | {"feedback": NARRATIVE_MAX}
AMENDMENT_TEXT_MAX = {
    "rationale": _max_length(DecisionAmendment, "rationale"),
    "reason": _max_length(DecisionAmendment, "reason"),
    "feedback": NARRATIVE_MAX,
}
TEXT_NAMES = {
    "rationale": "The rationale",
    "lived_experience_impact": "How the child's lived experience informed the decision",
    "onward_referrals": "The onward referrals",
    "late_reason": "Why the decision is late",
    "proceed_reason": "Why decide now",
    "threshold_reason": "Why the outcome is unusual for the level",
    "feedback": "What the referrer is told about why",
    "reason": "Why the decision is being amended",
}


def _refuse_too_long(texts: dict[str, str | None], bounds: dict[str, int], errors: dict) -> None:
    """A text longer than its bound is refused, naming its field (in place of any other
    error on it), never cut short nor left to the database to refuse."""
    for name, limit in bounds.items():
        if len((texts.get(name) or "").strip()) > limit:
            errors[name] = [f"{TEXT_NAMES[name]} must be {limit} characters or fewer"]


OUTCOME_IN_PLAIN_WORDS = {
    Outcome.NO_FURTHER_ACTION: (
        "Children's social care will not take any further action on this referral."
    ),
    Outcome.SIGNPOST: (
        "Children's social care will not be involved. The family has been, or will be, "
        "pointed to services that can help, such as their school, GP or children's centre."
    ),
    Outcome.EARLY_HELP: (
        "The family will be offered early help: support from a key worker and local "
        "services, with the family's agreement."
    ),
    Outcome.ASSESSMENT_S17: (
        "A social worker will carry out a child and family assessment to understand the "
        "child's needs (section 17, Children Act 1989)."
    ),
    Outcome.STRATEGY_S47: (
        "A strategy discussion will be held with the police, health and other agencies to "
        "decide whether to start child protection enquiries (section 47, Children Act 1989)."
    ),
    Outcome.OPEN_CASE: (
        "The child already has an allocated social worker, who has been given this information."
    ),
}

# Outcomes below the threshold for children's social care: the referrer is told of
# other sources of support.
BELOW_THRESHOLD = {Outcome.NO_FURTHER_ACTION, Outcome.SIGNPOST, Outcome.EARLY_HELP}


def compose_feedback(*, outcome: str, reasons: str) -> str:
    """What the referrer reads: the outcome in plain words, the reasons the manager chose
    to give them, and other support where the threshold is not met."""
    paragraphs = [
        f"Decision: {Outcome(outcome).label}.",
        OUTCOME_IN_PLAIN_WORDS[Outcome(outcome)],
        f"Why: {reasons.strip()}",
    ]
    if outcome in BELOW_THRESHOLD:
        services = SupportService.objects.filter(is_active=True)
        if services:
            lines = ["Other support the family can use:"]
            lines += [f"- {s.name}: {s.description} {s.contact}" for s in services]
            paragraphs.append("\n".join(lines))
    paragraphs.append(
        "If you disagree with this decision, you can raise a challenge from Your referrals "
        "in Front Door. If you become more worried about the child, call the front door or "
        "refer again."
    )
    return "\n\n".join(paragraphs)


def decision_is_late(referral: Referral, *, now: datetime) -> bool:
    """Past its decision time, as the clock shows it everywhere (overdue from the due
    time itself): a late decision must say why."""
    return read_clock(due_at=referral.decision_due_at, now=now).state is ClockState.OVERDUE


def _check_decision_fields(
    *,
    outcome: str,
    threshold_level,
    rationale: str,
    feedback: str,
    threshold_reason: str,
    errors: dict,
) -> ThresholdLevel | None:
    """Check what a decision and an amendment share; return the threshold level chosen
    (by its number), one of the levels in use now. An outcome unusual for the level
    (``footprint.UNUSUAL_OUTCOMES``) needs ``threshold_reason``."""
    if outcome not in Outcome.values:
        errors["outcome"] = ["Choose an outcome"]
    level = None
    try:
        number = int(threshold_level)
    except (TypeError, ValueError):
        errors["threshold_level"] = ["Choose a threshold level"]
    else:
        # A number outside the column's range is no level at all (and SQLite cannot even
        # compare one past 64 bits).
        if 0 <= number <= LEVEL_MAX:
            level = ThresholdLevel.objects.filter(level=number, is_active=True).first()
        if level is None:
            errors["threshold_level"] = ["Choose one of the threshold levels"]
    text = (rationale or "").strip()
    if len(text) < MIN_RATIONALE_CHARS or len(text.split()) < MIN_RATIONALE_WORDS:
        errors["rationale"] = [
            "Explain the decision: what you weighed, and why this outcome "
            f"(at least {MIN_RATIONALE_WORDS} words)"
        ]
    if (
        level is not None
        and footprint.outcome_is_unusual(outcome=outcome, level=level.level)
        and len((threshold_reason or "").strip().split()) < MIN_REASON_WORDS
    ):
        errors["threshold_reason"] = [
            footprint.unusual_outcome_message(
                outcome=outcome, level_number=level.level, level_name=level.name
            )
        ]
    if len((feedback or "").strip().split()) < MIN_FEEDBACK_WORDS:
        errors["feedback"] = [
            "Write what the referrer will be told about why, for them to read "
            f"(at least {MIN_FEEDBACK_WORDS} words)"
        ]
    return level


@transaction.atomic
def decide(
    *,
    referral_id: int,
    by,
    outcome: str,
    threshold_level,
    rationale: str,
    lived_experience_impact: str = "",
    onward_referrals: str = "",
    feedback: str,
    late_reason: str = "",
    proceed_reason: str = "",
    threshold_reason: str = "",
) -> Decision:
    """Record a manager's decision. Exactly one decision per referral: of two managers
    deciding at once, the second is told it has been decided.

    ``feedback`` is what the referrer is told about why, written for them. It is
    required and never taken from the rationale, which may hold what other agencies
    shared in confidence.

    The supervisory footprint (``triage/footprint.py``): when the referral is
    unallocated, not linked to a child record, has no screening notes or has
    information requests outstanding, ``proceed_reason`` says why decide now; an outcome
    unusual for the threshold level needs ``threshold_reason``; the lived-experience
    reasoning, when given, needs the rationale's substance. The decision keeps who
    screened it and a snapshot of what was known.
    """
    if not can(by, Capability.DECIDE):
        raise NotPermitted("Only managers record decisions")
    referral = Referral.objects.select_for_update().get(pk=referral_id)
    if referral.status == Status.DECIDED or Decision.objects.filter(referral=referral).exists():
        raise AlreadyDecided(f"{referral.reference} has already been decided")
    now = timezone.now()
    late = decision_is_late(referral, now=now)
    counts = footprint.screening_counts(referral.pk)
    warnings = footprint.decision_warnings(
        referral=referral,
        notes=counts["notes"],
        requests_outstanding=counts["requests_outstanding"],
    )
    errors: dict[str, list[str]] = {}
    if warnings and len((proceed_reason or "").strip().split()) < MIN_REASON_WORDS:
        errors["proceed_reason"] = [
            "Say why you are deciding now: "
            + "; ".join(w.message.rstrip(".").lower() for w in warnings)
        ]
    level = _check_decision_fields(
        outcome=outcome,
        threshold_level=threshold_level,
        rationale=rationale,
        feedback=feedback,
        threshold_reason=threshold_reason,
        errors=errors,
    )
    impact = (lived_experience_impact or "").strip()
    if impact and (
        len(impact) < MIN_LIVED_EXPERIENCE_CHARS or len(impact.split()) < MIN_LIVED_EXPERIENCE_WORDS
    ):
        errors["lived_experience_impact"] = [
            "Say how the child's lived experience informed the decision: what their day is "
            f"like and what that means for this outcome (at least "
            f"{MIN_LIVED_EXPERIENCE_WORDS} words)"
        ]
    if late and not (late_reason or "").strip():
        errors["late_reason"] = ["The decision is late: say why"]
    _refuse_too_long(
        {
            "rationale": rationale,
            "lived_experience_impact": lived_experience_impact,
            "onward_referrals": onward_referrals,
            "late_reason": late_reason,
            "proceed_reason": proceed_reason,
            "threshold_reason": threshold_reason,
            "feedback": feedback,
        },
        DECISION_TEXT_MAX,
        errors,
    )
    if errors:
        raise DomainError(errors)
    try:
        with transaction.atomic():
            decision = Decision(
                referral=referral,
                outcome=outcome,
                threshold_level=level,
                rationale=rationale.strip(),
                lived_experience_impact=lived_experience_impact.strip(),
                onward_referrals=(onward_referrals or "").strip(),
                late_reason=(late_reason or "").strip() if late else "",
                feedback=compose_feedback(outcome=outcome, reasons=feedback),
                decided_by=by,
                decided_at=now,
                screened_by_id=referral.recommended_by_id or referral.assigned_to_id,
                proceed_reason=(proceed_reason or "").strip() if warnings else "",
                threshold_reason=(threshold_reason or "").strip()
                if footprint.outcome_is_unusual(outcome=outcome, level=level.level)
                else "",
                known_at_decision=footprint.snapshot(
                    referral=referral,
                    counts=counts,
                    warnings=warnings,
                    flags=repeat_flags(
                        with_repeat_flags(Referral.objects.filter(pk=referral.pk)).get()
                    ),
                ),
            )
            decision._history_user = by  # also right outside a web request (the API)
            decision.save()
    except IntegrityError:
        # The one-decision-per-referral constraint: another manager got there first.
        raise AlreadyDecided(f"{referral.reference} has already been decided") from None
    # The database marked the referral decided with the decision (triage/triggers.py);
    # saving the status here records the change in the referral's history too.
    referral.status = Status.DECIDED
    referral._history_user = by
    referral.save(update_fields=["status"])
    record_event(
        kind=EventKind.DECIDED,
        by=by,
        referral=referral,
        object_type="decision",
        object_id=decision.pk,
        detail={
            "outcome": outcome,
            "threshold_level": level.level,
            "late": late,
            "warnings": [w.code for w in warnings],
        },
    )
    notices.feedback(referral)
    return decision


@transaction.atomic
def amend_decision(
    *,
    decision_id: int,
    by,
    outcome: str,
    threshold_level,
    rationale: str,
    reason: str,
    feedback: str,
) -> DecisionAmendment:
    """A correction, with its reason, beside the original; the original never changes.
    The amendment's reason also answers for an outcome unusual for the level."""
    if not can(by, Capability.DECIDE):
        raise NotPermitted("Only managers amend decisions")
    decision = Decision.objects.select_for_update().get(pk=decision_id)
    errors: dict[str, list[str]] = {}
    level = _check_decision_fields(
        outcome=outcome,
        threshold_level=threshold_level,
        rationale=rationale,
        feedback=feedback,
        threshold_reason=reason,
        errors=errors,
    )
    if "threshold_reason" in errors:
        errors["reason"] = errors.pop("threshold_reason")
    if len((reason or "").strip()) < 10:
        errors["reason"] = ["Say why the decision is being amended"]
    _refuse_too_long(
        {"rationale": rationale, "reason": reason, "feedback": feedback},
        AMENDMENT_TEXT_MAX,
        errors,
    )
    if errors:
        raise DomainError(errors)
    amendment = DecisionAmendment(
        decision=decision,
        outcome=outcome,
        threshold_level=level,
        rationale=rationale.strip(),
        reason=reason.strip(),
        feedback=compose_feedback(outcome=outcome, reasons=feedback),
        amended_by=by,
        amended_at=timezone.now(),
    )
    amendment._history_user = by
    amendment.save()
    record_event(
        kind=EventKind.AMENDED,
        by=by,
        referral=decision.referral,
        object_type="decision_amendment",
        object_id=amendment.pk,
        detail={"outcome": outcome, "threshold_level": level.level},
    )
    notices.feedback_amended(decision.referral, amendment.pk)
    return amendment
