"""Strategy discussions: a manager convenes one for a referral, records who came (and the
warnings that follow from who did not) and when the minutes went out. What it decided
and what followed (decisions, information shared, actions, the section 47 outcome, the
child seen) are triage.services.strategy_records', imported here too: every service of
a discussion is reached as ``strategy.<name>``, as it always was.

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
from agencies.policy import Capability, can
from audit.models import EventKind
from audit.services import record_event
from core.clock import working_days_after
from core.exceptions import DomainError
from referrals.models import Referral
from triage import moments
from triage.models import (
    Attendee,
    AttendeeRole,
    DiscussionFormat,
    DiscussionKind,
    StrategyDiscussion,
)
from triage.services.strategy_records import (
    INFORMATION_MAX,
    RATIONALE_MAX,
    TEXT_MAX,
    AlreadyRecorded,
    action_owner_users,
    add_action,
    add_contribution,
    add_decision,
    change_outcome_on_challenge,
    complete_action,
    ensure_manager,
    locked,
    record_child_seen,
    record_outcome,
)
from triage.strategy_membership import (
    CORE_MEMBERSHIP,
    AttendeeFact,
    ChildFact,
    MembershipWarning,
    membership_warnings,
)

NAME_MAX = Attendee._meta.get_field("name").max_length

__all__ = [
    # Convening, the attendees, the minutes and the reads: here.
    "NAME_MAX",
    "change_attendees",
    "child_facts",
    "clean_attendees",
    "convene_discussion",
    "discussion_warnings",
    "discussions_visible_to",
    "minutes_due_at",
    "record_minutes_circulated",
    "warnings_for",
    # What the discussion decided and what followed: triage.services.strategy_records.
    "INFORMATION_MAX",
    "RATIONALE_MAX",
    "AlreadyRecorded",
    "TEXT_MAX",
    "action_owner_users",
    "add_action",
    "add_contribution",
    "add_decision",
    "change_outcome_on_challenge",
    "complete_action",
    "record_child_seen",
    "record_outcome",
]


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
    ensure_manager(by)
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


@transaction.atomic
def change_attendees(
    *,
    discussion_id: int,
    by,
    attendees: Iterable[Mapping],
    missing_members_reason: str | None = None,
) -> StrategyDiscussion:
    ensure_manager(by)
    discussion = locked(discussion_id)
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
    ensure_manager(by)
    discussion = locked(discussion_id)
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
    if (
        to_professionals_at is None or to_professionals_at == discussion.minutes_circulated_at
    ) and (to_family_at is None or to_family_at == discussion.minutes_to_family_at):
        # Nothing new (the form sent again, or an API PATCH repeating what is recorded):
        # no history row and no audit event for a change that is not one.
        return discussion
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


# --- Reads -------------------------------------------------------------------------------


def discussions_visible_to(user) -> QuerySet[StrategyDiscussion]:
    """Managers, screeners and auditors read every discussion; nobody else reads any."""
    if not can(user, Capability.VIEW_STRATEGY_DISCUSSIONS):
        return StrategyDiscussion.objects.none()
    return StrategyDiscussion.objects.select_related("referral", "referral__child", "convened_by")
