"""The managers' live figures: what is late now, or about to be, and who holds the open
work. One function reads every count as of one moment, ``now``, in a fixed handful of
queries whatever the data (each over an index: see the migration and docs/dashboard.md);
the lists behind the counts are the existing lists filtered by the same definitions
(triage.lateness), so a count and its list agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, Q

from agencies.models import Role
from referrals.models import Referral
from triage import lateness
from triage.models import (
    Challenge,
    ChallengeStatus,
    DiscussionAction,
    EscalationStage,
    InformationRequest,
    StrategyDiscussion,
)


@dataclass(frozen=True)
class StageCount:
    stage_id: int
    order: int
    name: str
    timescale_working_days: int
    open: int
    past_timescale: int


@dataclass(frozen=True)
class Caseload:
    user_id: int
    name: str
    role: str
    open: int
    overdue: int

    @property
    def role_label(self) -> str:
        return Role(self.role).label


@dataclass(frozen=True)
class LiveFigures:
    as_of: datetime
    overdue: int
    due_soon: int
    unallocated: int
    awaiting_decision: int
    information_requests_overdue: int
    minutes_overdue: int
    actions_overdue: int
    challenges: list[StageCount] = field(default_factory=list)
    caseloads: list[Caseload] = field(default_factory=list)

    @property
    def challenges_open(self) -> int:
        return sum(stage.open for stage in self.challenges)

    @property
    def challenges_past_timescale(self) -> int:
        return sum(stage.past_timescale for stage in self.challenges)


def live_figures(*, now: datetime) -> LiveFigures:
    """Every live count as of ``now``: seven queries, whatever the number of rows."""
    referrals = Referral.objects.filter(lateness.undecided()).aggregate(
        overdue=Count("pk", filter=lateness.decision_overdue(now)),
        due_soon=Count("pk", filter=lateness.decision_due_soon(now)),
        unallocated=Count("pk", filter=lateness.unallocated_past_flag(now)),
        awaiting_decision=Count("pk", filter=lateness.awaiting_decision()),
    )
    return LiveFigures(
        as_of=now,
        **referrals,
        information_requests_overdue=InformationRequest.objects.filter(
            lateness.information_request_overdue(now)
        ).count(),
        minutes_overdue=StrategyDiscussion.objects.filter(lateness.minutes_overdue(now)).count(),
        actions_overdue=DiscussionAction.objects.filter(lateness.action_overdue(now)).count(),
        challenges=challenges_by_stage(now=now),
        caseloads=caseloads(now=now),
    )


def challenges_by_stage(*, now: datetime) -> list[StageCount]:
    """Open challenges at each stage, and how many are past the stage's timescale. Every
    active stage is listed, with noughts where none is open, and an inactive stage only
    while a challenge still stands at it. Two queries: the stages, and the counts over
    the (status, stage_due_at) index."""
    counts = {
        row["stage_id"]: row
        for row in Challenge.objects.filter(status=ChallengeStatus.OPEN)
        .values("stage_id")
        .annotate(open=Count("pk"), past=Count("pk", filter=lateness.challenge_past_timescale(now)))
        .order_by()
    }
    stages = EscalationStage.objects.filter(Q(is_active=True) | Q(pk__in=list(counts)))
    return [
        StageCount(
            stage_id=stage.pk,
            order=stage.order,
            name=stage.name,
            timescale_working_days=stage.timescale_working_days,
            open=counts.get(stage.pk, {}).get("open", 0),
            past_timescale=counts.get(stage.pk, {}).get("past", 0),
        )
        for stage in stages.order_by("order")
    ]


def caseloads(*, now: datetime) -> list[Caseload]:
    """Referrals allocated and undecided, per screener or manager, with how many of them
    are overdue: the most first."""
    rows = (
        Referral.objects.filter(lateness.allocated_open_work())
        .values(
            "assigned_to_id",
            first_name=F("assigned_to__first_name"),
            last_name=F("assigned_to__last_name"),
            username=F("assigned_to__username"),
            role=F("assigned_to__role"),
        )
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(decision_due_at__lte=now)),
        )
        .order_by("-open", "-overdue", "assigned_to__last_name", "assigned_to_id")
    )
    return [
        Caseload(
            user_id=row["assigned_to_id"],
            name=f"{row['first_name']} {row['last_name']}".strip() or row["username"],
            role=row["role"],
            open=row["open"],
            overdue=row["overdue"],
        )
        for row in rows
    ]


def overdue_information_requests(*, now: datetime):
    """The list behind ``information_requests_overdue``: the most overdue first."""
    return (
        InformationRequest.objects.filter(lateness.information_request_overdue(now))
        .select_related("referral", "agency", "requested_by")
        .order_by("due_at", "pk")
    )
