"""What a strategy discussion decided and what followed from it: its decisions with their
rationale, the information each agency shared, the actions agreed (and when they are
done), the section 47 outcome with the time the child must be seen by, and when they
were seen. Convening, the attendees and the minutes are triage.services.strategy's,
which imports these too, so that they are reached by the one name they always had.

Every write runs in one transaction, locks the discussion it changes, appends an audit
event and keeps the history (django-simple-history) with the acting user.

A decision, the information an agency shared and an action are each added with
``last_seen``: the id of the newest of its kind the page showed (0 for none). The same
form sent twice (a double click, the browser sending the POST again) finds, under the
discussion's lock, the row its first sending added since, word for word, and is told
so (``AlreadyRecorded``) instead of adding a copy.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from agencies.models import Agency
from agencies.policy import Capability, can, users_with
from audit.models import EventKind
from audit.services import record_event
from core.exceptions import DomainError, InvalidState, NotPermitted
from triage import moments
from triage.models import (
    AdvocateOffered,
    AgencyContribution,
    DiscussionAction,
    DiscussionDecision,
    Section47Outcome,
    StrategyDiscussion,
)

TEXT_MAX = 3000
OWNER_MAX = DiscussionAction._meta.get_field("owner").max_length
INFORMATION_MAX = AgencyContribution._meta.get_field("information").max_length
RATIONALE_MAX = DiscussionDecision._meta.get_field("rationale").max_length


class AlreadyRecorded(InvalidState):
    """The same form sent again: what it adds is already recorded, once. ``row`` is it."""

    def __init__(self, message: str, *, row: models.Model):
        super().__init__(message)
        self.row = row


def _sent_twice(rows: models.QuerySet, *, last_seen: int | None, what: str, **same) -> None:
    """Raise AlreadyRecorded when a row the page did not show (newer than ``last_seen``)
    is this one, word for word: the same form sent again. Called under the discussion's
    lock, so that of two sendings at once the second waits for the first and finds it.
    Without ``last_seen`` (a caller that shows no page) every call adds a row."""
    if last_seen is None:
        return
    repeat = rows.filter(pk__gt=last_seen, **same).order_by("pk").first()
    if repeat is not None:
        raise AlreadyRecorded(
            f"This {what} was already recorded: the form was sent twice, and it is kept once",
            row=repeat,
        )


def action_owner_users():
    """Who an action may be given to as a Front Door user, to be alerted when it is
    overdue: those who can open the discussion the alert links to."""
    return users_with(Capability.VIEW_STRATEGY_DISCUSSIONS)


def ensure_manager(by) -> None:
    """Only managers convene and record discussions: every write asks first."""
    if not can(by, Capability.CONVENE_STRATEGY):
        raise NotPermitted("Only managers convene and record strategy discussions")


def locked(discussion_id: int) -> StrategyDiscussion:
    """The discussion a write changes, locked until its transaction ends."""
    return StrategyDiscussion.objects.select_for_update().get(pk=discussion_id)


@transaction.atomic
def add_decision(
    *, discussion_id: int, by, decision: str, rationale: str, last_seen: int | None = None
) -> DiscussionDecision:
    ensure_manager(by)
    discussion = locked(discussion_id)
    decision = (decision or "").strip()
    rationale = (rationale or "").strip()
    errors = {}
    if not decision:
        errors["decision"] = ["Enter the decision"]
    elif len(decision) > TEXT_MAX:
        errors["decision"] = [f"The decision must be {TEXT_MAX} characters or fewer"]
    if not rationale:
        errors["rationale"] = ["Enter the rationale: why this was decided"]
    elif len(rationale) > RATIONALE_MAX:
        errors["rationale"] = [f"The rationale must be {RATIONALE_MAX} characters or fewer"]
    if errors:
        raise DomainError(errors)
    _sent_twice(
        discussion.decisions.all(),
        last_seen=last_seen,
        what="decision",
        decision=decision,
        rationale=rationale,
        recorded_by=by,
    )
    row = DiscussionDecision(
        discussion=discussion, decision=decision, rationale=rationale, recorded_by=by
    )
    row._history_user = by
    row.save()
    record_event(
        kind=EventKind.DISCUSSION_DECISION_ADDED,
        by=by,
        referral=discussion.referral,
        object_type="discussion_decision",
        object_id=row.pk,
    )
    return row


@transaction.atomic
def add_contribution(
    *,
    discussion_id: int,
    by,
    agency_id: int | None,
    information: str,
    last_seen: int | None = None,
) -> AgencyContribution:
    """What one agency shared at the discussion."""
    ensure_manager(by)
    discussion = locked(discussion_id)
    information = (information or "").strip()
    errors = {}
    agency = Agency.objects.filter(is_active=True, pk=agency_id).first() if agency_id else None
    if agency is None:
        errors["agency"] = ["Select the agency that shared it"]
    if not information:
        errors["information"] = ["Enter what the agency shared"]
    elif len(information) > INFORMATION_MAX:
        errors["information"] = [f"Keep it to {INFORMATION_MAX} characters or fewer"]
    if errors:
        raise DomainError(errors)
    _sent_twice(
        discussion.contributions.all(),
        last_seen=last_seen,
        what="information",
        agency=agency,
        information=information,
    )
    row = AgencyContribution(discussion=discussion, agency=agency, information=information)
    row._history_user = by
    row.save()
    record_event(
        kind=EventKind.DISCUSSION_INFORMATION_SHARED,
        by=by,
        referral=discussion.referral,
        object_type="agency_contribution",
        object_id=row.pk,
        detail={"agency": agency.pk},
    )
    return row


@transaction.atomic
def add_action(
    *,
    discussion_id: int,
    by,
    description: str,
    owner: str,
    agency_id: int | None,
    due_at: datetime | None,
    owner_user_id: int | None = None,
    last_seen: int | None = None,
) -> DiscussionAction:
    ensure_manager(by)
    discussion = locked(discussion_id)
    description = (description or "").strip()
    owner = (owner or "").strip()
    errors = {}
    if not description:
        errors["description"] = ["Enter the action agreed"]
    elif len(description) > TEXT_MAX:
        errors["description"] = [f"The action must be {TEXT_MAX} characters or fewer"]
    if not owner:
        errors["owner"] = ["Enter who owns the action"]
    elif len(owner) > OWNER_MAX:
        errors["owner"] = [f"The owner must be {OWNER_MAX} characters or fewer"]
    agency = Agency.objects.filter(is_active=True, pk=agency_id).first() if agency_id else None
    if agency is None:
        errors["agency"] = ["Select the owner's agency"]
    if due_at is None:
        errors["due_at"] = ["Enter when the action is due"]
    elif problem := moments.due_error(
        due_at, what=moments.ACTION_DUE, now=timezone.now(), within=settings.ACTION_DUE_WITHIN
    ):
        errors["due_at"] = [problem]
    owner_user = None
    if owner_user_id is not None:
        owner_user = action_owner_users().filter(pk=owner_user_id).first()
        if owner_user is None:
            errors["owner_user"] = [
                "Select an active front door user who reads discussions, or leave it empty"
            ]
    if errors:
        raise DomainError(errors)
    _sent_twice(
        discussion.actions.all(),
        last_seen=last_seen,
        what="action",
        description=description,
        owner=owner,
        owner_user=owner_user,
        agency=agency,
        due_at=due_at,
    )
    action = DiscussionAction(
        discussion=discussion,
        description=description,
        owner=owner,
        owner_user=owner_user,
        agency=agency,
        due_at=due_at,
    )
    action._history_user = by
    action.save()
    record_event(
        kind=EventKind.DISCUSSION_ACTION_ADDED,
        by=by,
        referral=discussion.referral,
        object_type="discussion_action",
        object_id=action.pk,
        detail={"agency": agency.pk},
    )
    return action


@transaction.atomic
def complete_action(*, action_id: int, by, done_at: datetime | None = None) -> DiscussionAction:
    ensure_manager(by)
    action = (
        DiscussionAction.objects.select_for_update().select_related("discussion").get(pk=action_id)
    )
    if action.done_at is not None:
        raise InvalidState("This action is already recorded as done")
    now = timezone.now()
    done_at = done_at or now
    if problem := moments.happened_error(
        done_at,
        what=moments.ACTION_DONE,
        now=now,
        after=action.discussion.held_at,
        after_what=moments.DISCUSSION,
    ):
        raise DomainError({"done_at": [problem]})
    action.done_at = done_at
    action._history_user = by
    action.save(update_fields=["done_at"])
    record_event(
        kind=EventKind.DISCUSSION_ACTION_DONE,
        by=by,
        referral=action.discussion.referral,
        object_type="discussion_action",
        object_id=action.pk,
    )
    return action


@transaction.atomic
def record_outcome(
    *,
    discussion_id: int,
    by,
    section47_outcome: str,
    no_enquiry_reason: str = "",
    see_child_by: datetime | None = None,
    child_views: str = "",
    advocate_offered: str = "",
) -> StrategyDiscussion:
    """The section 47 outcome, the time by which the child must be seen, the child's
    views and whether an advocate was offered. AlreadyRecorded, writing nothing, when
    all of it is as recorded already (the form sent twice)."""
    ensure_manager(by)
    discussion = locked(discussion_id)
    no_enquiry_reason = (no_enquiry_reason or "").strip()
    errors: dict[str, list[str]] = {}
    if section47_outcome not in Section47Outcome.values:
        errors["section47_outcome"] = ["Select the section 47 outcome"]
    elif section47_outcome == Section47Outcome.NO_ENQUIRY and not no_enquiry_reason:
        errors["no_enquiry_reason"] = ["Enter why there is no section 47 enquiry"]
    if section47_outcome != Section47Outcome.NO_ENQUIRY:
        no_enquiry_reason = ""
    # Checked when it is set or changed: the same time sent again with a change to the
    # rest is not refused for having passed since.
    if see_child_by is not None and see_child_by != discussion.see_child_by:
        if see_child_by < discussion.held_at:
            errors["see_child_by"] = [
                f"{moments.SEE_CHILD_BY} must be after {moments.DISCUSSION} "
                f"({moments.shown(discussion.held_at)})"
            ]
        elif problem := moments.due_error(
            see_child_by,
            what=moments.SEE_CHILD_BY,
            now=timezone.now(),
            within=settings.SEE_CHILD_BY_WITHIN,
        ):
            errors["see_child_by"] = [problem]
    if advocate_offered and advocate_offered not in AdvocateOffered.values:
        errors["advocate_offered"] = ["Select whether an advocate was offered"]
    if errors:
        raise DomainError(errors)
    outcome = {
        "section47_outcome": section47_outcome,
        "no_enquiry_reason": no_enquiry_reason,
        "see_child_by": see_child_by,
        "child_views": (child_views or "").strip(),
        "advocate_offered": advocate_offered or "",
    }
    if all(getattr(discussion, field) == value for field, value in outcome.items()):
        # The form sent again (a double click) or saved unchanged: no history row and no
        # audit event for a change that is not one.
        raise AlreadyRecorded(
            "This outcome was already recorded as sent: nothing has changed", row=discussion
        )
    for field, value in outcome.items():
        setattr(discussion, field, value)
    discussion._history_user = by
    discussion.save()
    record_event(
        kind=EventKind.DISCUSSION_OUTCOME_RECORDED,
        by=by,
        referral=discussion.referral,
        object_type="strategy_discussion",
        object_id=discussion.pk,
        detail={"section47_outcome": section47_outcome},
    )
    return discussion


@transaction.atomic
def change_outcome_on_challenge(
    *, discussion_id: int, by, section47_outcome: str, no_enquiry_reason: str, challenge_id: int
) -> StrategyDiscussion:
    """A challenge to the discussion's outcome changed it: the new section 47 outcome
    (for no enquiry, with why), kept in the discussion's history beside the old one.
    Called by the challenge's resolution, in its transaction."""
    ensure_manager(by)
    discussion = locked(discussion_id)
    no_enquiry_reason = (no_enquiry_reason or "").strip()
    if section47_outcome not in Section47Outcome.values:
        raise DomainError({"section47_outcome": ["Choose the new section 47 outcome"]})
    if section47_outcome == Section47Outcome.NO_ENQUIRY and not no_enquiry_reason:
        raise DomainError({"no_enquiry_reason": ["Enter why there is no section 47 enquiry"]})
    discussion.section47_outcome = section47_outcome
    discussion.no_enquiry_reason = (
        no_enquiry_reason if section47_outcome == Section47Outcome.NO_ENQUIRY else ""
    )
    discussion._history_user = by
    discussion._change_reason = f"Changed on challenge {challenge_id}"
    discussion.save()
    record_event(
        kind=EventKind.DISCUSSION_OUTCOME_RECORDED,
        by=by,
        referral=discussion.referral,
        object_type="strategy_discussion",
        object_id=discussion.pk,
        detail={"section47_outcome": section47_outcome, "challenge": challenge_id},
    )
    return discussion


@transaction.atomic
def record_child_seen(
    *, discussion_id: int, by, child_seen_at: datetime | None, child_seen_by: str, joint_visit
) -> StrategyDiscussion:
    """When and by whom the child was seen after the discussion, and whether jointly."""
    ensure_manager(by)
    discussion = locked(discussion_id)
    child_seen_by = (child_seen_by or "").strip()
    errors: dict[str, list[str]] = {}
    if child_seen_at is None:
        errors["child_seen_at"] = ["Enter when the child was seen"]
    elif problem := moments.happened_error(
        child_seen_at,
        what=moments.CHILD_SEEN,
        now=timezone.now(),
        after=discussion.referral.received_at,
        after_what=moments.RECEIVED,
    ):
        errors["child_seen_at"] = [problem]
    if not child_seen_by:
        errors["child_seen_by"] = ["Enter who saw the child"]
    if errors:
        raise DomainError(errors)
    if (
        discussion.child_seen_at == child_seen_at
        and discussion.child_seen_by == child_seen_by[:200]
        and discussion.joint_visit == bool(joint_visit)
    ):
        # The form sent again (a double click) or saved unchanged: no history row and no
        # audit event for a change that is not one.
        return discussion
    discussion.child_seen_at = child_seen_at
    discussion.child_seen_by = child_seen_by[:200]
    discussion.joint_visit = bool(joint_visit)
    discussion._history_user = by
    discussion.save(update_fields=["child_seen_at", "child_seen_by", "joint_visit"])
    record_event(
        kind=EventKind.CHILD_SEEN,
        by=by,
        referral=discussion.referral,
        object_type="strategy_discussion",
        object_id=discussion.pk,
        detail={"joint_visit": bool(joint_visit)},
    )
    return discussion
