"""A child's chronology: one timeline of everything known about them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS

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
from triage.selectors import repeat_flags_of_history


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
    """Every referral linked to the child, oldest first. Their repeat-referral flags come
    from ``repeat_flags_of_history`` (all of them are here), not from subqueries."""
    return (
        Referral.objects.filter(child=child)
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
    history = repeat_flags_of_history(referrals)
    for referral in referrals:
        flags = history[referral.pk]
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
    # Everything below is about these referrals: each row names its referral by id, and
    # the referral already read is used (not read again with every row).
    ids = [r.pk for r in referrals]
    by_id = {r.pk: r for r in referrals}
    by_decision = {r.decision.pk: r for r in referrals if getattr(r, "decision", None)}
    for amendment in DecisionAmendment.objects.filter(decision__referral_id__in=ids).select_related(
        "amended_by"
    ):
        events.append(
            Event(
                at=amendment.amended_at,
                kind="amendment",
                referral=by_decision[amendment.decision_id],
                title=f"Decision amended: {amendment.get_outcome_display()}",
                by=amendment.amended_by.display_name,
                lines=[amendment.reason],
            )
        )
    for request in InformationRequest.objects.filter(referral_id__in=ids).select_related(
        "agency", "requested_by"
    ):
        events.append(
            Event(
                at=request.requested_at,
                kind="information_request",
                referral=by_id[request.referral_id],
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
                    referral=by_id[request.referral_id],
                    title=f"{request.agency.name} answered",
                    lines=[request.answer],
                )
            )
    challenges = {}
    for challenge in Challenge.objects.filter(referral_id__in=ids).select_related(
        "raised_by", "raised_by__agency", "resolved_by"
    ):
        challenge.referral = by_id[challenge.referral_id]
        challenges[challenge.pk] = challenge
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
        "by", "stage"
    ):
        events.append(
            Event(
                at=response.at,
                kind="challenge_response",
                referral=challenges[response.challenge_id].referral,
                title=f"Challenge response at stage {response.stage.order}: {response.stage.name}",
                by=response.by.display_name,
                lines=[response.text],
            )
        )
    discussions = {}
    for discussion in StrategyDiscussion.objects.filter(referral_id__in=ids).select_related(
        "convened_by"
    ):
        discussion.referral = by_id[discussion.referral_id]
        discussions[discussion.pk] = discussion
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
    ).select_related("agency"):
        discussion = discussions[action.discussion_id]
        events.append(
            Event(
                at=action.done_at,
                kind="discussion_action",
                referral=discussion.referral,
                discussion=discussion,
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


# --- The page -----------------------------------------------------------------------------
#
# A chronology may hold hundreds of events, each with a date in two forms and a link or
# two. The page reads them ready-made, as plain dicts (the template language looks a key up
# in a dict at once; an attribute only after a failed key lookup): one `date` filter and
# one `{% url %}` per event cost about as much as all the rest of the page.


def page_items(events: list[Event]) -> list[dict]:
    """What the chronology page shows of each event, formatted once here."""
    months = [""] + [str(MONTHS[number]) for number in range(1, 13)]
    referral_url = _url_maker("triage:referral")
    discussion_url = _url_maker("strategy:detail")
    zone = timezone.get_current_timezone()
    items = []
    for event in events:
        at = timezone.localtime(event.at, zone)
        referral = event.referral
        items.append(
            {
                "kind": event.kind,
                "title": event.title,
                "by": event.by,
                # As `date:"c"` and `date:"j F Y, H:i"` wrote them.
                "at_iso": at.isoformat(),
                "at_text": f"{at.day} {months[at.month]} {at.year}, {at:%H:%M}",
                "tags": [{"text": tag, "colour": _tag_colour(tag)} for tag in event.tags],
                "lines": event.lines,
                "discussion_url": discussion_url(event.discussion.pk) if event.discussion else "",
                "referral_url": referral_url(referral.pk) if referral else "",
                "reference": referral.reference if referral else "",
            }
        )
    return items


def _tag_colour(tag: str) -> str:
    if tag == "Immediate risk":
        return "red"
    if "neglect" in tag or "pattern" in tag:
        return "orange"
    return "purple"


def _url_maker(name: str) -> Callable[[int], str]:
    """The URL of the view ``name`` for a primary key, reversed once: hundreds of links
    to the same view differ only in the key."""
    marker = 987654321
    head, tail = reverse(name, args=[marker]).split(str(marker))
    return lambda pk: f"{head}{int(pk)}{tail}"
