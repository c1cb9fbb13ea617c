"""Strategy discussions: a manager convenes one for a referral, records who came, what was
decided and why, the section 47 outcome, actions and when the minutes went out.

Every write runs in one transaction, locks the discussion it changes, appends an audit
event and keeps the history (django-simple-history) with the acting user.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from agencies.census import AgencyType
from agencies.models import Agency
from agencies.policy import Capability, can, users_with
from audit.models import EventKind
from audit.services import record_event
from core.clock import working_days_after
from core.exceptions import DomainError, InvalidState, NotPermitted
from referrals.models import Referral
from triage import moments
from triage.models import (
    AdvocateOffered,
    AgencyContribution,
    Attendee,
    AttendeeRole,
    DiscussionAction,
    DiscussionDecision,
    DiscussionFormat,
    DiscussionKind,
    Section47Outcome,
    StrategyDiscussion,
)
from triage.strategy_membership import (
    CORE_MEMBERSHIP,
    AttendeeFact,
    ChildFact,
    MembershipWarning,
    membership_warnings,
)

NAME_MAX = Attendee._meta.get_field("name").max_length
TEXT_MAX = 3000
INFORMATION_MAX = AgencyContribution._meta.get_field("information").max_length
RATIONALE_MAX = DiscussionDecision._meta.get_field("rationale").max_length


def minutes_due_at(held_at: datetime) -> datetime:
    return working_days_after(held_at, settings.MINUTES_DUE_WORKING_DAYS)


# --- Membership ----------------------------------------------------------------------------


def _age_on(born: date | None, on: date) -> int | None:
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def child_facts(referral: Referral, on: date) -> ChildFact:
    """What the membership checks need to know of the child: their age on the day, and
    their school where it is named as one of the agencies."""
    child = referral.child
    born = child.date_of_birth if child else referral.child_date_of_birth
    school_name = (child.school if child else "") or referral.child_school
    school = None
    if school_name.strip():
        school = (
            Agency.objects.filter(type=AgencyType.SCHOOL, name__iexact=school_name.strip())
            .values_list("pk", flat=True)
            .first()
        )
    return ChildFact(age_years=_age_on(born, on), school_agency_id=school)


def warnings_for(
    *, referral: Referral, attendees: Iterable[Mapping], held_at: datetime | None
) -> list[MembershipWarning]:
    """The warnings for a list of attendees (dicts of ``agency`` (an Agency), ``role``,
    ``attended``), for the pages while a list is edited and for the services."""
    on = timezone.localdate(held_at) if held_at else timezone.localdate()
    facts = [
        AttendeeFact(a["agency"].pk, a["agency"].type, a["role"], bool(a["attended"]))
        for a in attendees
    ]
    return membership_warnings(facts, child_facts(referral, on))


def discussion_warnings(discussion: StrategyDiscussion) -> list[MembershipWarning]:
    # The attendees a list prefetched (with their agencies), not a query a discussion.
    prefetched = "attendees" in getattr(discussion, "_prefetched_objects_cache", {})
    attendees = (
        discussion.attendees.all() if prefetched else discussion.attendees.select_related("agency")
    )
    rows = [{"agency": a.agency, "role": a.role, "attended": a.attended} for a in attendees]
    return warnings_for(referral=discussion.referral, attendees=rows, held_at=discussion.held_at)


def clean_attendees(attendees: Iterable[Mapping]) -> list[dict]:
    """Check each attendee (``agency`` an id or an Agency, ``role``, ``name``,
    ``attended``, True or False); raise DomainError naming ``attendees`` when one is
    wrong."""
    rows = list(attendees or [])
    problems = []
    ids = {a["agency"].pk if isinstance(a.get("agency"), Agency) else a.get("agency") for a in rows}
    agencies = Agency.objects.filter(is_active=True).in_bulk([i for i in ids if isinstance(i, int)])
    cleaned = []
    for number, row in enumerate(rows, start=1):
        agency_id = row["agency"].pk if isinstance(row.get("agency"), Agency) else row.get("agency")
        agency = agencies.get(agency_id) if isinstance(agency_id, int) else None
        name = (row.get("name") or "").strip()
        role = row.get("role")
        if agency is None:
            problems.append(f"Attendee {number}: select an active agency")
        if role not in AttendeeRole.values:
            problems.append(f"Attendee {number}: select their role")
        if not name:
            problems.append(f"Attendee {number}: enter their name")
        elif len(name) > NAME_MAX:
            problems.append(f"Attendee {number}: the name must be {NAME_MAX} characters or fewer")
        attended = row.get("attended")
        if not isinstance(attended, bool):
            problems.append(
                f"Attendee {number}: select whether they attended or were invited and did "
                "not attend"
            )
        cleaned.append({"agency": agency, "role": role, "name": name, "attended": attended})
    if problems:
        raise DomainError({"attendees": problems})
    return cleaned


def _check_missing_reason(warnings: list[MembershipWarning], reason: str) -> None:
    if CORE_MEMBERSHIP.intersection(warnings) and not reason:
        raise DomainError(
            {
                "missing_members_reason": [
                    "Police, children's social care and health are expected at every "
                    "strategy discussion: record why you are going on without them"
                ]
            }
        )


def action_owner_users():
    """Who an action may be given to as a Front Door user, to be alerted when it is
    overdue: those who can open the discussion the alert links to."""
    return users_with(Capability.VIEW_STRATEGY_DISCUSSIONS)


def _ensure_manager(by) -> None:
    if not can(by, Capability.CONVENE_STRATEGY):
        raise NotPermitted("Only managers convene and record strategy discussions")


def _replace_attendees(discussion: StrategyDiscussion, rows: list[dict], by) -> None:
    for old in discussion.attendees.all():
        old._history_user = by
        old.delete()
    for row in rows:
        attendee = Attendee(discussion=discussion, **row)
        attendee._history_user = by
        attendee.save()


# --- Writes ------------------------------------------------------------------------------


@transaction.atomic
def convene_discussion(
    *,
    referral_id: int,
    by,
    kind: str,
    held_at: datetime | None,
    format: str = DiscussionFormat.MEETING,  # noqa: A002 - the record's own word
    attendees: Iterable[Mapping],
    missing_members_reason: str = "",
) -> StrategyDiscussion:
    """Record a discussion and who was invited. Going on without police, social care or
    health needs the reason why, from the pages and the API alike."""
    _ensure_manager(by)
    referral = Referral.objects.select_for_update().get(pk=referral_id)
    errors: dict[str, list[str]] = {}
    if kind not in DiscussionKind.values:
        errors["kind"] = ["Select a strategy discussion or a MASH information-sharing meeting"]
    if format not in DiscussionFormat.values:
        errors["format"] = ["Select how it was held: meeting, call or video"]
    if held_at is None:
        errors["held_at"] = ["Enter when it was held"]
    elif problem := moments.happened_error(
        held_at,
        what=moments.HELD,
        now=timezone.now(),
        after=referral.received_at,
        after_what=moments.RECEIVED,
    ):
        errors["held_at"] = [problem]
    try:
        rows = clean_attendees(attendees)
    except DomainError as exc:
        errors.update(exc.errors)
        rows = []
    reason = (missing_members_reason or "").strip()
    if len(reason) > 2000:
        errors["missing_members_reason"] = ["The reason must be 2000 characters or fewer"]
    if errors:
        raise DomainError(errors)
    warnings = warnings_for(referral=referral, attendees=rows, held_at=held_at)
    _check_missing_reason(warnings, reason)

    discussion = StrategyDiscussion(
        referral=referral,
        kind=kind,
        held_at=held_at,
        format=format,
        convened_by=by,
        missing_members_reason=reason,
        minutes_due_at=minutes_due_at(held_at),
    )
    discussion._history_user = by
    discussion.save()
    _replace_attendees(discussion, rows, by)
    record_event(
        kind=EventKind.DISCUSSION_HELD,
        by=by,
        referral=referral,
        object_type="strategy_discussion",
        object_id=discussion.pk,
        detail={"kind": kind, "warnings": [str(w) for w in warnings]},
    )
    return discussion


def _locked(discussion_id: int) -> StrategyDiscussion:
    return StrategyDiscussion.objects.select_for_update().get(pk=discussion_id)


@transaction.atomic
def change_attendees(
    *,
    discussion_id: int,
    by,
    attendees: Iterable[Mapping],
    missing_members_reason: str | None = None,
) -> StrategyDiscussion:
    _ensure_manager(by)
    discussion = _locked(discussion_id)
    rows = clean_attendees(attendees)
    if missing_members_reason is not None:
        reason = missing_members_reason.strip()
        # Refused, as when convening, never cut short: what was typed is kept or not at all.
        if len(reason) > 2000:
            raise DomainError(
                {"missing_members_reason": ["The reason must be 2000 characters or fewer"]}
            )
        discussion.missing_members_reason = reason
    warnings = warnings_for(
        referral=discussion.referral, attendees=rows, held_at=discussion.held_at
    )
    _check_missing_reason(warnings, discussion.missing_members_reason)
    discussion._history_user = by
    discussion.save(update_fields=["missing_members_reason"])
    _replace_attendees(discussion, rows, by)
    record_event(
        kind=EventKind.DISCUSSION_ATTENDEES_CHANGED,
        by=by,
        referral=discussion.referral,
        object_type="strategy_discussion",
        object_id=discussion.pk,
        detail={"warnings": [str(w) for w in warnings]},
    )
    return discussion


@transaction.atomic
def record_minutes_circulated(
    *,
    discussion_id: int,
    by,
    to_professionals_at: datetime | None = None,
    to_family_at: datetime | None = None,
) -> StrategyDiscussion:
    """When the minutes went to the professionals and to the family. A time, once
    recorded, may be corrected but not taken back."""
    _ensure_manager(by)
    discussion = _locked(discussion_id)
    now = timezone.now()
    errors = {}
    for field, value in (
        ("minutes_circulated_at", to_professionals_at),
        ("minutes_to_family_at", to_family_at),
    ):
        if value is not None and (
            problem := moments.happened_error(
                value,
                what=moments.MINUTES_CIRCULATED,
                now=now,
                after=discussion.held_at,
                after_what=moments.DISCUSSION,
            )
        ):
            errors[field] = [problem]
    if errors:
        raise DomainError(errors)
    if to_professionals_at is not None:
        discussion.minutes_circulated_at = to_professionals_at
    if to_family_at is not None:
        discussion.minutes_to_family_at = to_family_at
    discussion._history_user = by
    discussion.save(update_fields=["minutes_circulated_at", "minutes_to_family_at"])
    record_event(
        kind=EventKind.MINUTES_CIRCULATED,
        by=by,
        referral=discussion.referral,
        object_type="strategy_discussion",
        object_id=discussion.pk,
        detail={
            "professionals": to_professionals_at is not None,
            "family": to_family_at is not None,
        },
    )
    return discussion


@transaction.atomic
def add_decision(*, discussion_id: int, by, decision: str, rationale: str) -> DiscussionDecision:
    _ensure_manager(by)
    discussion = _locked(discussion_id)
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
    *, discussion_id: int, by, agency_id: int | None, information: str
) -> AgencyContribution:
    """What one agency shared at the discussion."""
    _ensure_manager(by)
    discussion = _locked(discussion_id)
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
) -> DiscussionAction:
    _ensure_manager(by)
    discussion = _locked(discussion_id)
    description = (description or "").strip()
    owner = (owner or "").strip()
    errors = {}
    if not description:
        errors["description"] = ["Enter the action agreed"]
    elif len(description) > TEXT_MAX:
        errors["description"] = [f"The action must be {TEXT_MAX} characters or fewer"]
    if not owner:
        errors["owner"] = ["Enter who owns the action"]
    elif len(owner) > NAME_MAX:
        errors["owner"] = [f"The owner must be {NAME_MAX} characters or fewer"]
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
    _ensure_manager(by)
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
    views and whether an advocate was offered."""
    _ensure_manager(by)
    discussion = _locked(discussion_id)
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
    discussion.section47_outcome = section47_outcome
    discussion.no_enquiry_reason = no_enquiry_reason
    discussion.see_child_by = see_child_by
    discussion.child_views = (child_views or "").strip()
    discussion.advocate_offered = advocate_offered or ""
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
    _ensure_manager(by)
    discussion = _locked(discussion_id)
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
    _ensure_manager(by)
    discussion = _locked(discussion_id)
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


# --- Reads -------------------------------------------------------------------------------


def discussions_visible_to(user) -> QuerySet[StrategyDiscussion]:
    """Managers, screeners and auditors read every discussion; nobody else reads any."""
    if not can(user, Capability.VIEW_STRATEGY_DISCUSSIONS):
        return StrategyDiscussion.objects.none()
    return StrategyDiscussion.objects.select_related("referral", "referral__child", "convened_by")
