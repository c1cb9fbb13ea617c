"""The events of a child's chronology (triage.chronology), one for each row it reads: what
the page says of a referral, a decision and its amendments, an information request and
its answer, a challenge (raised, each response, resolved), a strategy discussion, a
discussion action done and a referral unlinked from the child."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from referrals.models import Referral
from triage.footprint import describe_snapshot


@dataclass
class Event:
    at: datetime
    kind: str
    title: str
    by: str = ""
    lines: list[str] = field(default_factory=list)
    referral: Referral | None = None
    tags: list[str] = field(default_factory=list)
    discussion_id: int | None = None


def describe_referral(referral, flags, concerns, concern_names) -> Event:
    tags = []
    if referral.immediate_risk:
        tags.append("Immediate risk")
    if flags.chronic_neglect:
        tags.append("Possible chronic neglect")
    if flags.repeat_pattern:
        tags.append("Repeat-referral pattern")
    if flags.is_repeat:
        tags.append(f"Repeat: {flags.earlier_count} earlier in 12 months")
    named = ", ".join(concern_names[c] for c in concerns)
    return Event(
        at=referral.received_at,
        kind="referral",
        tags=tags,
        title=f"Referral {referral.reference} received",
        by=referral.agency.name if referral.agency else referral.get_caller_type_display(),
        lines=[f"Concerns: {named}", referral.worry],
    )


def _decision_event(decision, entry, referral) -> Event:
    lines = [
        f"Threshold level {decision.threshold_level_id}",
        decision.rationale,
        # As the decision record says it: decided straight from the queue, no screener.
        f"Screened by {decision.screened_by.display_name}"
        if decision.screened_by
        else "No screener: not allocated or recommended",
        *(
            f"Known at the time: {line}"
            for line in describe_snapshot(decision.known_at_decision or {})
        ),
    ]
    if decision.proceed_reason:
        lines.append(f"Why decided now: {decision.proceed_reason}")
    if decision.threshold_reason:
        lines.append(f"Why this outcome at this level: {decision.threshold_reason}")
    return Event(
        at=decision.decided_at,
        kind="decision",
        title=f"Decision on {referral.reference}: {decision.get_outcome_display()}",
        by=decision.decided_by.display_name,
        lines=lines,
    )


def _amendment_event(amendment, entry, referral) -> Event:
    return Event(
        at=amendment.amended_at,
        kind="amendment",
        title=f"Decision amended: {amendment.get_outcome_display()}",
        by=amendment.amended_by.display_name,
        lines=[amendment.reason],
    )


def _request_event(request, entry, referral) -> Event:
    return Event(
        at=request.requested_at,
        kind="information_request",
        title=f"Information requested from {request.agency.name}",
        by=request.requested_by.display_name,
        lines=[request.question],
    )


def _answer_event(request, entry, referral) -> Event:
    return Event(
        at=request.answered_at,
        kind="information_answer",
        title=f"{request.agency.name} answered",
        lines=[request.answer],
    )


def _challenge_event(challenge, entry, referral) -> Event:
    raised_by = challenge.raised_by.display_name
    if challenge.raised_by.agency:
        raised_by += f", {challenge.raised_by.agency.name}"
    subject = "Strategy discussion outcome" if challenge.discussion_id else "Decision"
    return Event(
        at=challenge.raised_at,
        kind="challenge",
        title=f"{subject} on {referral.reference} challenged",
        by=raised_by,
        lines=[challenge.reason],
    )


def _resolution_event(challenge, entry, referral) -> Event:
    lines = [challenge.resolution_reasons]
    if challenge.outcome_changed_to:
        lines.append(
            f"Outcome changed from {challenge.outcome_changed_from_display} "
            f"to {challenge.outcome_changed_to_display}"
        )
    return Event(
        at=challenge.resolved_at,
        kind="challenge_resolved",
        title=f"Challenge resolved: {challenge.get_resolution_display()}",
        by=challenge.resolved_by.display_name,
        lines=lines,
    )


def _response_event(response, entry, referral) -> Event:
    return Event(
        at=response.at,
        kind="challenge_response",
        title=f"Challenge response at stage {response.stage.order}: {response.stage.name}",
        by=response.by.display_name,
        lines=[response.text],
    )


def _discussion_event(discussion, entry, referral) -> Event:
    outcome = discussion.get_section47_outcome_display() or "section 47 outcome not recorded"
    return Event(
        at=discussion.held_at,
        kind="strategy_discussion",
        title=f"{discussion.get_kind_display()} held",
        by=discussion.convened_by.display_name,
        lines=[outcome],
    )


def _action_event(action, entry, referral) -> Event:
    return Event(
        at=action.done_at,
        kind="discussion_action",
        title=f"Action done: {action.owner}, {action.agency.name}",
        lines=[action.description],
    )


def _removal_event(removal, entry, referral) -> Event:
    return Event(
        at=removal.removed_at,
        kind="link_removed",
        title=f"Referral {removal.referral.reference} unlinked from this record",
        by=removal.removed_by.display_name,
        lines=[removal.reason],
    )


# How each kind but a referral is described: (row, its timeline entry, its referral).
DESCRIBE: dict[str, Callable[..., Event]] = {
    "decision": _decision_event,
    "amendment": _amendment_event,
    "information_request": _request_event,
    "information_answer": _answer_event,
    "challenge": _challenge_event,
    "challenge_resolved": _resolution_event,
    "challenge_response": _response_event,
    "strategy_discussion": _discussion_event,
    "discussion_action": _action_event,
    "link_removed": _removal_event,
}
