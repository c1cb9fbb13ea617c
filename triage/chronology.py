"""A child's chronology: one timeline of everything known about them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet

from referrals.models import Child, Referral
from triage.footprint import describe_snapshot
from triage.models import (
    Challenge,
    ChallengeResponse,
    ChildLinkRemoval,
    DecisionAmendment,
    DiscussionAction,
    InformationRequest,
    StrategyDiscussion,
)
from triage.selectors import repeat_flags, with_repeat_flags


@dataclass
class Event:
    at: datetime
    kind: str
    title: str
    by: str = ""
    lines: list[str] = field(default_factory=list)
    referral: Referral | None = None
    tags: list[str] = field(default_factory=list)
    discussion: StrategyDiscussion | None = None


def child_referrals(child: Child) -> QuerySet[Referral]:
    return (
        with_repeat_flags(Referral.objects.filter(child=child))
        .select_related("agency", "decision", "decision__decided_by", "decision__screened_by")
        .prefetch_related("concerns")
        .order_by("received_at")
    )


def chronology(child: Child) -> list[Event]:
    """Newest first: referrals, decisions, amendments, information requests, challenges
    (raised, each response, resolved), strategy discussions and the discussion actions
    done."""
    events: list[Event] = []
    referrals = list(child_referrals(child))
    for referral in referrals:
        flags = repeat_flags(referral)
        tags = []
        if referral.immediate_risk:
            tags.append("Immediate risk")
        if flags.chronic_neglect:
            tags.append("Possible chronic neglect")
        if flags.repeat_pattern:
            tags.append("Repeat-referral pattern")
        if flags.is_repeat:
            tags.append(f"Repeat: {flags.earlier_count} earlier in 12 months")
        concerns = ", ".join(c.get_category_display() for c in referral.concerns.all())
        events.append(
            Event(
                at=referral.received_at,
                kind="referral",
                referral=referral,
                tags=tags,
                title=f"Referral {referral.reference} received",
                by=(
                    referral.agency.name if referral.agency else referral.get_caller_type_display()
                ),
                lines=[f"Concerns: {concerns}", referral.worry],
            )
        )
        decision = getattr(referral, "decision", None)
        if decision:
            events.append(
                Event(
                    at=decision.decided_at,
                    kind="decision",
                    referral=referral,
                    title=f"Decision on {referral.reference}: {decision.get_outcome_display()}",
                    by=decision.decided_by.display_name,
                    lines=[
                        f"Threshold level {decision.threshold_level_id}",
                        decision.rationale,
                        "Screened by "
                        + (decision.screened_by.display_name if decision.screened_by else "nobody"),
                        *(
                            f"Known at the time: {line}"
                            for line in describe_snapshot(decision.known_at_decision or {})
                        ),
                    ]
                    + (
                        [f"Why decided now: {decision.proceed_reason}"]
                        if decision.proceed_reason
                        else []
                    )
                    + (
                        [f"Why this outcome at this level: {decision.threshold_reason}"]
                        if decision.threshold_reason
                        else []
                    ),
                )
            )
    ids = [r.pk for r in referrals]
    for amendment in DecisionAmendment.objects.filter(decision__referral_id__in=ids).select_related(
        "amended_by", "decision__referral"
    ):
        events.append(
            Event(
                at=amendment.amended_at,
                kind="amendment",
                referral=amendment.decision.referral,
                title=f"Decision amended: {amendment.get_outcome_display()}",
                by=amendment.amended_by.display_name,
                lines=[amendment.reason],
            )
        )
    for request in InformationRequest.objects.filter(referral_id__in=ids).select_related(
        "agency", "requested_by", "referral"
    ):
        events.append(
            Event(
                at=request.requested_at,
                kind="information_request",
                referral=request.referral,
                title=f"Information requested from {request.agency.name}",
                by=request.requested_by.display_name,
                lines=[request.question],
            )
        )
        if request.answered_at:
            events.append(
                Event(
                    at=request.answered_at,
                    kind="information_answer",
                    referral=request.referral,
                    title=f"{request.agency.name} answered",
                    lines=[request.answer],
                )
            )
    for challenge in Challenge.objects.filter(referral_id__in=ids).select_related(
        "raised_by", "raised_by__agency", "resolved_by", "referral"
    ):
        raised_by = challenge.raised_by.display_name
        if challenge.raised_by.agency:
            raised_by += f", {challenge.raised_by.agency.name}"
        events.append(
            Event(
                at=challenge.raised_at,
                kind="challenge",
                referral=challenge.referral,
                title=(
                    f"Strategy discussion outcome on {challenge.referral.reference} challenged"
                    if challenge.discussion_id
                    else f"Decision on {challenge.referral.reference} challenged"
                ),
                by=raised_by,
                lines=[challenge.reason],
            )
        )
        if challenge.resolved_at:
            events.append(
                Event(
                    at=challenge.resolved_at,
                    kind="challenge_resolved",
                    referral=challenge.referral,
                    title=f"Challenge resolved: {challenge.get_resolution_display()}",
                    by=challenge.resolved_by.display_name,
                    lines=[challenge.resolution_reasons]
                    + (
                        [
                            f"Outcome changed from {challenge.outcome_changed_from_display} "
                            f"to {challenge.outcome_changed_to_display}"
                        ]
                        if challenge.outcome_changed_to
                        else []
                    ),
                )
            )
    for response in ChallengeResponse.objects.filter(challenge__referral_id__in=ids).select_related(
        "by", "stage", "challenge__referral"
    ):
        events.append(
            Event(
                at=response.at,
                kind="challenge_response",
                referral=response.challenge.referral,
                title=f"Challenge response at stage {response.stage.order}: {response.stage.name}",
                by=response.by.display_name,
                lines=[response.text],
            )
        )
    for discussion in StrategyDiscussion.objects.filter(referral_id__in=ids).select_related(
        "convened_by", "referral"
    ):
        outcome = discussion.get_section47_outcome_display() or "section 47 outcome not recorded"
        events.append(
            Event(
                at=discussion.held_at,
                kind="strategy_discussion",
                referral=discussion.referral,
                discussion=discussion,
                title=f"{discussion.get_kind_display()} held",
                by=discussion.convened_by.display_name,
                lines=[outcome],
            )
        )
    for action in DiscussionAction.objects.filter(
        discussion__referral_id__in=ids, done_at__isnull=False
    ).select_related("agency", "discussion__referral"):
        events.append(
            Event(
                at=action.done_at,
                kind="discussion_action",
                referral=action.discussion.referral,
                discussion=action.discussion,
                title=f"Action done: {action.owner}, {action.agency.name}",
                lines=[action.description],
            )
        )
    # A referral linked to this child by mistake has left the chronology; that it was
    # linked, and why the link was removed, stays (by reference only: the referral is
    # about another child).
    for removal in ChildLinkRemoval.objects.filter(child=child).select_related(
        "removed_by", "referral"
    ):
        events.append(
            Event(
                at=removal.removed_at,
                kind="link_removed",
                title=f"Referral {removal.referral.reference} unlinked from this record",
                by=removal.removed_by.display_name,
                lines=[removal.reason],
            )
        )
    events.sort(key=lambda event: event.at, reverse=True)
    return events
