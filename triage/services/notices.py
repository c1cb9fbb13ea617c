"""Notices about the front door's clocks and events: due soon, overdue and escalation
to managers, the decision to the referrer, information requests to partner agencies,
challenges raised, escalated, overdue at a stage and resolved.

``scan_clocks`` raises every notice that is due from index-backed queries over open
items only; each notice's unique key lets a scan that runs twice raise it once.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.db.models.lookups import IsNull
from django.urls import reverse
from django.utils import timezone

from agencies.models import User
from agencies.policy import Capability, agency_users_with, users_with
from notices.delivery import record_heartbeat
from notices.models import NoticeEvent, NoticeKind
from notices.services import raise_notice
from referrals.models import Referral, Status
from referrals.services import tell_referrer
from triage import lateness
from triage.models import (
    Challenge,
    ChallengeStatus,
    DiscussionAction,
    InformationRequest,
    StageOwner,
    StrategyDiscussion,
)
from triage.selectors import open_requests_overdue


def managers() -> list[User]:
    """Every active user who receives overdue alerts. Nobody can opt out."""
    return list(users_with(Capability.RECEIVE_OVERDUE_ALERTS))


def heads_of_service() -> list[User]:
    return list(
        User.objects.filter(is_active=True, username__in=settings.HEAD_OF_SERVICE_USERNAMES)
    )


def escalation_recipients() -> list[User]:
    """The head-of-service list; while none is configured, the managers, so that an
    escalation is never sent to nobody."""
    return heads_of_service() or managers()


def partners_of(agency_id: int) -> list[User]:
    return list(agency_users_with(agency_id, Capability.ANSWER_INFORMATION_REQUESTS))


def _referral_link(referral: Referral) -> str:
    return settings.BASE_URL + reverse("triage:referral", args=[referral.pk])


def feedback(referral: Referral) -> None:
    """Tell the referrer a decision has been made (they read it on the referral's page)."""
    tell_referrer(referral, NoticeKind.FEEDBACK)


def feedback_amended(referral: Referral, amendment_id: int) -> None:
    """Tell the referrer a decision was amended: once per amendment, so a second
    amendment is told too."""
    tell_referrer(
        referral, NoticeKind.FEEDBACK_AMENDED, key=f"{NoticeKind.FEEDBACK_AMENDED}:{amendment_id}"
    )


def _tell_partners(request: InformationRequest, kind: NoticeKind):
    """A notice to the partner agency a request was sent to; once per request and kind."""
    return raise_notice(
        key=f"{kind}:{request.pk}",
        kind=kind,
        recipients=partners_of(request.agency_id),
        reference=request.referral.reference,
        referral_id=request.referral_id,
        information_request_id=request.pk,
        due=request.due_at,
        link=settings.BASE_URL + reverse("requests:detail", args=[request.pk]),
    )


def information_requested(request: InformationRequest) -> None:
    _tell_partners(request, NoticeKind.INFORMATION_REQUEST)


def _challenge_link(challenge: Challenge) -> str:
    return settings.BASE_URL + reverse("challenges:detail", args=[challenge.pk])


def challenge_stage_owners(challenge: Challenge) -> list[User]:
    """Who answers a challenge at its current stage: the named owner (the manager who
    made the decision), the managers, or the head-of-service list (the managers while
    none is configured)."""
    owner = challenge.owner if challenge.owner_id else None
    if challenge.stage.owner == StageOwner.DECISION_MAKER and owner and owner.is_active:
        return [owner]
    if challenge.stage.owner == StageOwner.HEAD_OF_SERVICE:
        return escalation_recipients()
    return managers()


def challenge_stage_started(challenge: Challenge, *, first: bool) -> None:
    """A challenge raised (to the first stage's owner) or escalated (to the new one's)."""
    if first:
        key, kind = f"challenge_raised:{challenge.pk}", NoticeKind.CHALLENGE_RAISED
    else:
        key = f"challenge_escalated:{challenge.pk}:{challenge.stage_id}"
        kind = NoticeKind.CHALLENGE_ESCALATED
    raise_notice(
        key=key,
        kind=kind,
        recipients=challenge_stage_owners(challenge),
        reference=challenge.referral.reference,
        referral_id=challenge.referral_id,
        challenge_id=challenge.pk,
        due=challenge.stage_due_at,
        link=_challenge_link(challenge),
    )


def challenge_reply(challenge: Challenge, response) -> None:
    """The person who raised a challenge added to it: its stage's owner is told."""
    raise_notice(
        key=f"challenge_reply:{response.pk}",
        kind=NoticeKind.CHALLENGE_REPLY,
        recipients=challenge_stage_owners(challenge),
        reference=challenge.referral.reference,
        referral_id=challenge.referral_id,
        challenge_id=challenge.pk,
        due=challenge.stage_due_at,
        link=_challenge_link(challenge),
    )


def challenge_resolved(challenge: Challenge) -> None:
    raise_notice(
        key=f"challenge_resolved:{challenge.pk}",
        kind=NoticeKind.CHALLENGE_RESOLVED,
        recipients=[challenge.raised_by],
        reference=challenge.referral.reference,
        referral_id=challenge.referral_id,
        challenge_id=challenge.pk,
        due=challenge.resolved_at,
        link=_challenge_link(challenge),
    )


def _scan_challenges(now: datetime) -> int:
    """Open challenges past their stage's due time with no overdue notice for this stage
    yet: the (status, stage_due_at) index finds them, the unique key's index answers, a
    row at a time (as ``_not_yet``), whether this stage's notice exists."""
    already = NoticeEvent.objects.filter(
        key=Concat(
            Value("challenge_stage_overdue:"),
            Cast(OuterRef("pk"), CharField()),
            Value(":"),
            Cast(OuterRef("stage_id"), CharField()),
            output_field=CharField(),
        )
    ).values("key")[:1]
    late = (
        Challenge.objects.filter(status=ChallengeStatus.OPEN, stage_due_at__lte=now)
        .filter(IsNull(Subquery(already), True))
        .values_list("pk", flat=True)
    )
    raised = 0
    for pk in list(late):
        with transaction.atomic():
            # Resolved or escalated since the query ran: check again under the lock.
            challenge = (
                Challenge.objects.select_for_update(of=("self",))
                .select_related("referral", "stage", "owner")
                .get(pk=pk)
            )
            if challenge.status != ChallengeStatus.OPEN or challenge.stage_due_at > now:
                continue
            people = {p.pk: p for p in challenge_stage_owners(challenge) + managers()}
            raised += (
                raise_notice(
                    key=f"challenge_stage_overdue:{challenge.pk}:{challenge.stage_id}",
                    kind=NoticeKind.CHALLENGE_STAGE_OVERDUE,
                    recipients=people.values(),
                    reference=challenge.referral.reference,
                    referral_id=challenge.referral_id,
                    challenge_id=challenge.pk,
                    due=challenge.stage_due_at,
                    link=_challenge_link(challenge),
                )
                is not None
            )
    return raised


def _open_referrals():
    return Referral.objects.exclude(status=Status.DECIDED)


def _not_yet(kind: NoticeKind, field: str = "referral_id"):
    """No notice of this kind raised yet about the outer row, asked of each row the scan
    finds through the (kind, <field>) index: ``(SELECT <field> ... LIMIT 1) IS NULL``, a
    subquery PostgreSQL runs once a row. As NOT EXISTS it would be an anti-join, and
    the planner (which cannot tell that open items are mostly due in the future, so
    expects thousands of rows where there are a few hundred) hashed every notice of the
    kind ever raised: a scan that grew with the history. This one grows with the open
    items only."""
    told = NoticeEvent.objects.filter(kind=kind, **{field: OuterRef("pk")}).values(field)[:1]
    return IsNull(Subquery(told), True)


def scan_clocks(*, now: datetime | None = None) -> dict[str, int]:
    """Raise every notice that is due. Safe to run twice, or on two machines at once:
    each notice's unique key lets it be raised only once."""
    now = now or timezone.now()
    counts = {}
    due_soon = (
        _open_referrals()
        .filter(decision_due_at__gt=now, decision_due_at__lte=now + settings.DUE_SOON)
        .filter(_not_yet(NoticeKind.DUE_SOON))
    )
    counts["due_soon"] = _raise_for_referrals(due_soon, NoticeKind.DUE_SOON, managers)
    overdue = (
        _open_referrals().filter(decision_due_at__lte=now).filter(_not_yet(NoticeKind.OVERDUE))
    )
    counts["overdue"] = _raise_for_referrals(overdue, NoticeKind.OVERDUE, managers)
    escalate = (
        _open_referrals()
        .filter(decision_due_at__lte=now - settings.ESCALATE_AFTER)
        .filter(_not_yet(NoticeKind.ESCALATION))
    )
    counts["escalation"] = _raise_for_referrals(
        escalate, NoticeKind.ESCALATION, escalation_recipients
    )
    late_requests = (
        open_requests_overdue(now)
        .filter(_not_yet(NoticeKind.INFORMATION_REQUEST_OVERDUE, "information_request_id"))
        .select_related("referral")
    )
    counts["information_request_overdue"] = 0
    for request in late_requests.iterator():
        with transaction.atomic():
            raised = _tell_partners(request, NoticeKind.INFORMATION_REQUEST_OVERDUE)
        counts["information_request_overdue"] += raised is not None
    counts["challenge_stage_overdue"] = _scan_challenges(now)
    counts |= scan_discussions(now=now)
    record_heartbeat(name="scan", at=now)
    return counts


# --- Strategy discussions ----------------------------------------------------------------


def _discussion_notice(discussion, kind: NoticeKind, recipients, due) -> bool:
    return (
        raise_notice(
            key=f"{kind}:{discussion.pk}",
            kind=kind,
            recipients=recipients,
            reference=discussion.referral.reference,
            referral_id=discussion.referral_id,
            discussion_id=discussion.pk,
            due=due,
            link=_discussion_link(discussion.pk),
        )
        is not None
    )


def _discussion_link(discussion_id: int) -> str:
    return settings.BASE_URL + reverse("strategy:detail", args=[discussion_id])


def _convener_or_managers(discussion) -> list[User]:
    """The manager who convened the discussion; all managers when they have left."""
    return [discussion.convened_by] if discussion.convened_by.is_active else managers()


def scan_discussions(*, now: datetime) -> dict[str, int]:
    """Minutes not circulated by their due time, to the professionals or (for a strategy
    discussion) to the family: one notice, to the convening manager; children not
    seen, or soon to be past, the time agreed (to the managers), and actions overdue (to
    their owner, where a Front Door user, and to the managers). Open items only, each
    query backed by an index; re-checked under a lock before each notice."""
    counts = {"minutes_overdue": 0, "child_seen_due_soon": 0, "child_seen_missed": 0}
    late_minutes = (
        StrategyDiscussion.objects.filter(lateness.minutes_overdue(now))
        .filter(_not_yet(NoticeKind.MINUTES_OVERDUE, "discussion_id"))
        .values_list("pk", flat=True)
    )
    for pk in list(late_minutes):
        with transaction.atomic():
            # Re-checked under the lock: the minutes may have gone out since the query.
            discussion = (
                StrategyDiscussion.objects.select_for_update(of=("self",))
                .filter(lateness.minutes_overdue(now), pk=pk)
                .select_related("referral", "convened_by")
                .first()
            )
            if discussion is not None:
                counts["minutes_overdue"] += _discussion_notice(
                    discussion,
                    NoticeKind.MINUTES_OVERDUE,
                    _convener_or_managers(discussion),
                    discussion.minutes_due_at,
                )
    not_seen = StrategyDiscussion.objects.filter(
        child_seen_at__isnull=True, see_child_by__isnull=False
    )
    for kind, rows in (
        (
            NoticeKind.CHILD_SEEN_DUE_SOON,
            not_seen.filter(
                see_child_by__gt=now, see_child_by__lte=now + settings.CHILD_SEEN_DUE_SOON
            ),
        ),
        (NoticeKind.CHILD_SEEN_MISSED, not_seen.filter(see_child_by__lte=now)),
    ):
        for pk in list(rows.filter(_not_yet(kind, "discussion_id")).values_list("pk", flat=True)):
            with transaction.atomic():
                discussion = _locked_discussion(pk)
                if discussion.child_seen_at is None:
                    counts[kind.value] += _discussion_notice(
                        discussion, kind, managers(), discussion.see_child_by
                    )
    counts["action_overdue"] = 0
    late_actions = (
        DiscussionAction.objects.filter(done_at__isnull=True, due_at__lte=now)
        .filter(_not_yet(NoticeKind.ACTION_OVERDUE, "discussion_action_id"))
        .values_list("pk", flat=True)
    )
    for pk in list(late_actions):
        with transaction.atomic():
            action = (
                # Only the action is locked: its owner may be nobody (an outer join).
                DiscussionAction.objects.select_for_update(of=("self",))
                .select_related("discussion__referral", "owner_user")
                .get(pk=pk)
            )
            if action.done_at is not None:
                continue
            owner = [action.owner_user] if action.owner_user_id else []
            counts["action_overdue"] += (
                raise_notice(
                    key=f"{NoticeKind.ACTION_OVERDUE}:{action.pk}",
                    kind=NoticeKind.ACTION_OVERDUE,
                    recipients=owner + managers(),
                    reference=action.discussion.referral.reference,
                    referral_id=action.discussion.referral_id,
                    discussion_id=action.discussion_id,
                    discussion_action_id=action.pk,
                    due=action.due_at,
                    link=_discussion_link(action.discussion_id),
                )
                is not None
            )
    return counts


def _locked_discussion(pk: int) -> StrategyDiscussion:
    return (
        StrategyDiscussion.objects.select_for_update(of=("self",))
        .select_related("referral", "convened_by")
        .get(pk=pk)
    )


def _raise_for_referrals(queryset, kind: NoticeKind, recipients) -> int:
    raised = 0
    people = None
    for referral in queryset.only("pk", "reference", "decision_due_at").iterator():
        if people is None:
            people = recipients()  # resolved when the notice is created, from current users
        with transaction.atomic():
            # The referral may have been decided since the query ran: check again.
            current = Referral.objects.select_for_update().only("status").get(pk=referral.pk)
            if current.status == Status.DECIDED:
                continue
            raised += (
                raise_notice(
                    key=f"{kind}:{referral.pk}",
                    kind=kind,
                    recipients=people,
                    reference=referral.reference,
                    referral_id=referral.pk,
                    due=referral.decision_due_at,
                    link=_referral_link(referral),
                )
                is not None
            )
    return raised
