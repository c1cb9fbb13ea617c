"""Erasure under the retention schedule (oversight.retention): ``manage.py
retention_erase``.

A child due for erasure goes with everything about them: the child's record, every
referral linked to it and all that hangs from those (concerns, household, coaching
prompts, idempotency keys, screening notes, quality ratings, removed links, information
requests, decisions and amendments, challenges and their responses, strategy discussions
with their attendees, contributions, decisions and actions), the notices about them and
their notifications, and every history row of all of these. A referral linked to no
child goes the same way. Siblings referred together share a submission, which holds
only who sent it and when: it goes with its last referral, so a sibling not yet due
keeps it. Access-log rows and audit events go when older than their own periods, and
notifications delivered (or emails failed for good) longer ago than theirs
(oversight.retention.notifications_due: never an email still to send, nor feedback to a
referrer); then the notice events about no case whose keys cannot recur, left with no
notification (oversight.retention.notice_events_due).

Each batch is one transaction that asks the schedule again about its own rows (locked),
erases them and appends an audit event of counts (no ids, no names); run again, nothing
more is erased. History rows are deleted, not versioned: nothing of an erased record
may outlive it (django-simple-history's own delete would keep a last copy of each row).

On PostgreSQL the append-only tables refuse DELETE by trigger except to the tables'
owner with ``SET LOCAL frontdoor.retention_erase = 'on'`` in the same transaction
(audit/triggers.py): this is run by the owner, the role that runs ``migrate``, never by
the application's role, which may delete nothing from them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import Q
from django.utils import timezone

from audit import triggers
from audit.db_roles import append_only_tables, history_models
from audit.models import AccessLog, AuditEvent, EventKind
from audit.services import record_event
from notices.models import NoticeEvent, Notification
from oversight import retention
from referrals.models import (
    Child,
    CoachingPrompt,
    HouseholdMember,
    IdempotencyRecord,
    Referral,
    ReferralConcern,
    ReferralDraft,
    Submission,
)
from triage.models import (
    AgencyContribution,
    Attendee,
    Challenge,
    ChallengeResponse,
    ChildLinkRemoval,
    Decision,
    DecisionAmendment,
    DiscussionAction,
    DiscussionDecision,
    InformationRequest,
    QualityRating,
    ScreeningNote,
    StrategyDiscussion,
)

BATCH = 100  # children or unlinked referrals per transaction
LOG_BATCH = 5000  # access-log rows or audit events per transaction

# Whose history rows go with an erased row of these, through the column naming it: a
# version of a note names its referral even if the note itself went long ago. A
# referral's link to a child is not ownership: a referral moved to a sibling's record
# keeps its versions that named the first child.
OWNERS = (Referral, Decision, Challenge, StrategyDiscussion, Child)


class ErasureRefused(Exception):
    """Erasure cannot run here: the message says why and what to do."""


@dataclass
class Erased:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, number: int) -> None:
        if number:
            self.counts[name] = self.counts.get(name, 0) + number

    def merge(self, other: Erased) -> None:
        for name, number in other.counts.items():
            self.add(name, number)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def check_owner(conn=connection) -> None:
    """On PostgreSQL, refuse unless connected as the owner of the append-only tables
    (the role that runs ``migrate``): no one else can erase from them."""
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c WHERE c.oid = ANY(%s::regclass[]) "
            "AND NOT pg_has_role(current_user, c.relowner, 'USAGE') ORDER BY 1 LIMIT 1",
            [append_only_tables()],
        )
        row = cursor.fetchone()
        cursor.execute("SELECT current_user")
        user = cursor.fetchone()[0]
    if row:
        raise ErasureRefused(
            f'Connected as "{user}", which does not own {row[0]}: erasure runs as the role '
            "that owns the tables (the one that runs migrate), never as the application's "
            "role. Nothing was erased."
        )


def _open_for_erasure() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL {triggers.ERASE_SETTING} = 'on'")


def _delete(model, condition: Q) -> tuple[int, set[int]]:
    """Delete the rows, with no signals (no history version of the deletion) and no
    cascade through Django: every table is named here. Returns their number and ids."""
    rows = model._base_manager.filter(condition)
    ids = set(rows.values_list("pk", flat=True))
    if not ids:
        return 0, ids
    model._base_manager.filter(pk__in=ids)._raw_delete(DEFAULT_DB_ALIAS)
    return len(ids), ids


def _ids(model, condition: Q) -> set[int]:
    return set(model._base_manager.filter(condition).values_list("pk", flat=True))


def erase_case_records(*, referral_ids: Iterable[int], child_ids: Iterable[int]) -> Erased:
    """Erase the referrals and children given and everything about them, in the current
    transaction (already opened for erasure)."""
    erased = Erased()
    gone: dict[type, set[int]] = {Referral: set(referral_ids), Child: set(child_ids)}
    referrals, children = gone[Referral], gone[Child]
    gone[Decision] = _ids(Decision, Q(referral__in=referrals))
    gone[Challenge] = _ids(Challenge, Q(referral__in=referrals))
    gone[StrategyDiscussion] = _ids(StrategyDiscussion, Q(referral__in=referrals))
    gone[InformationRequest] = _ids(InformationRequest, Q(referral__in=referrals))
    gone[DiscussionAction] = _ids(DiscussionAction, Q(discussion__in=gone[StrategyDiscussion]))
    submissions = set(
        Referral.objects.filter(pk__in=referrals).values_list("submission_id", flat=True)
    )

    notices = _ids(
        NoticeEvent,
        Q(referral_id__in=referrals)
        | Q(challenge_id__in=gone[Challenge])
        | Q(discussion_id__in=gone[StrategyDiscussion])
        | Q(information_request_id__in=gone[InformationRequest])
        | Q(discussion_action_id__in=gone[DiscussionAction]),
    )
    erased.add("notifications", _delete(Notification, Q(event__in=notices))[0])
    erased.add("notices", _delete(NoticeEvent, Q(pk__in=notices))[0])

    steps = [
        (ChallengeResponse, Q(challenge__in=gone[Challenge])),
        (Challenge, Q(pk__in=gone[Challenge])),
        (DecisionAmendment, Q(decision__in=gone[Decision])),
        (Decision, Q(pk__in=gone[Decision])),
        (Attendee, Q(discussion__in=gone[StrategyDiscussion])),
        (AgencyContribution, Q(discussion__in=gone[StrategyDiscussion])),
        (DiscussionDecision, Q(discussion__in=gone[StrategyDiscussion])),
        (DiscussionAction, Q(pk__in=gone[DiscussionAction])),
        (StrategyDiscussion, Q(pk__in=gone[StrategyDiscussion])),
        (InformationRequest, Q(pk__in=gone[InformationRequest])),
        (ScreeningNote, Q(referral__in=referrals)),
        (QualityRating, Q(referral__in=referrals)),
        (ChildLinkRemoval, Q(referral__in=referrals) | Q(child__in=children)),
        (ReferralConcern, Q(referral__in=referrals)),
        (HouseholdMember, Q(referral__in=referrals)),
        (CoachingPrompt, Q(referral__in=referrals)),
        (IdempotencyRecord, Q(referral__in=referrals)),
        (Referral, Q(pk__in=referrals)),
    ]
    for model, condition in steps:
        number, ids = _delete(model, condition)
        gone.setdefault(model, set()).update(ids)
        erased.add(str(model._meta.verbose_name_plural), number)

    # A submission goes with its last referral: a sibling's keeps it.
    spent_ids = _ids(Submission, Q(pk__in=submissions, referrals__isnull=True))
    erased.add("referral drafts", _delete(ReferralDraft, Q(submission__in=spent_ids))[0])
    erased.add("submissions", _delete(Submission, Q(pk__in=spent_ids))[0])
    erased.add("children", _delete(Child, Q(pk__in=children))[0])
    erased.add("history rows", _erase_history(gone))
    return erased


def _erase_history(gone: dict[type, set[int]]) -> int:
    total = 0
    for history in history_models():
        model = history.instance_type
        condition = Q(pk__in=[])
        if gone.get(model):
            condition |= Q(**{f"{model._meta.pk.attname}__in": gone[model]})
        for fk in model._meta.concrete_fields:
            owner = getattr(fk, "related_model", None)
            if owner in OWNERS and gone.get(owner) and (model, owner) != (Referral, Child):
                condition |= Q(**{f"{fk.attname}__in": gone[owner]})
        rows = history._base_manager.filter(condition)
        total += rows._raw_delete(DEFAULT_DB_ALIAS) or 0
    return total


def _record(erased: Erased, schedule: retention.Schedule) -> None:
    record_event(
        kind=EventKind.RECORDS_ERASED,
        object_type="retention",
        detail={"erased": dict(sorted(erased.counts.items())), "schedule": schedule.as_detail()},
    )


def erase_due(*, now=None, schedule=None, batch: int = BATCH, log_batch: int = LOG_BATCH) -> Erased:
    """Erase everything the schedule makes due at ``now``, in batches, each a
    transaction with its own audit event. Idempotent."""
    check_owner()
    now = now or timezone.now()
    schedule = schedule or retention.Schedule.from_settings()
    plan = retention.due(now=now, schedule=schedule, logs=False)
    total = Erased()

    units = [("child", pk) for pk in plan.children] + [("referral", pk) for pk in plan.unlinked]
    for start in range(0, len(units), batch):
        chunk = units[start : start + batch]
        child_ids = [pk for kind, pk in chunk if kind == "child"]
        referral_ids = [pk for kind, pk in chunk if kind == "referral"]
        with transaction.atomic():
            _open_for_erasure()
            # Lock, then ask again: a referral linked since the plan was made keeps them.
            list(Child.objects.select_for_update().filter(pk__in=child_ids).values("pk"))
            list(Referral.objects.select_for_update().filter(pk__in=referral_ids).values("pk"))
            still = retention.due(
                now=now,
                schedule=schedule,
                child_ids=child_ids,
                referral_ids=referral_ids,
                logs=False,
            )
            linked = [pk for ids in still.children.values() for pk in ids]
            erased = erase_case_records(
                referral_ids=[*still.unlinked, *linked], child_ids=list(still.children)
            )
            if erased.total:
                _record(erased, schedule)
            total.merge(erased)

    with transaction.atomic():
        _open_for_erasure()
        versions = retention.departed_versions()._raw_delete(DEFAULT_DB_ALIAS) or 0
        if versions:
            erased = Erased({"versions of departed staff's accounts": versions})
            _record(erased, schedule)
            total.merge(erased)

    for model, years, name in [
        (AccessLog, schedule.access_log_years, "access-log rows"),
        (AuditEvent, schedule.audit_event_years, "audit events"),
    ]:
        before = retention.years_before(now, years)
        while True:
            with transaction.atomic():
                _open_for_erasure()
                ids = list(
                    model.objects.filter(at__lt=before)
                    .order_by("pk")
                    .values_list("pk", flat=True)[:log_batch]
                )
                if not ids:
                    break
                model.objects.filter(pk__in=ids)._raw_delete(DEFAULT_DB_ALIAS)
                erased = Erased({name: len(ids)})
                _record(erased, schedule)
                total.merge(erased)

    # A plain table (no trigger, no history): the application's role could delete these
    # too, but they go here, with the rest of the schedule and its audit event.
    before = now - timedelta(days=schedule.notification_days)
    while True:
        with transaction.atomic():
            ids = list(
                retention.notifications_due(before)
                .select_for_update()
                .order_by("pk")
                .values_list("pk", flat=True)[:log_batch]
            )
            if not ids:
                break
            Notification.objects.filter(pk__in=ids)._raw_delete(DEFAULT_DB_ALIAS)
            erased = Erased({"notifications": len(ids)})
            _record(erased, schedule)
            total.merge(erased)

    # Then the notice events left with no notification, of the kinds whose key cannot be
    # made again (retention.EVENTS_THAT_CANNOT_RECUR: never one about a case, which goes
    # with its case above). Nothing adds a notification to an event after it is written
    # (services.raise_notice writes both at once), so none can arrive between the look and
    # the delete.
    while True:
        with transaction.atomic():
            ids = list(
                retention.notice_events_due(before)
                .select_for_update()
                .order_by("pk")
                .values_list("pk", flat=True)[:log_batch]
            )
            if not ids:
                break
            NoticeEvent.objects.filter(pk__in=ids)._raw_delete(DEFAULT_DB_ALIAS)
            erased = Erased({"notice events": len(ids)})
            _record(erased, schedule)
            total.merge(erased)
    return total
