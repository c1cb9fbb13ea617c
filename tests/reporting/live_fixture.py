"""A small world for the live dashboard's tests, with every figure counted by hand in
EXPECTED (and each edge named): built at NOW, 13:00 in London (BST)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from agencies.models import Role
from referrals.models import Outcome, Status
from tests import factories as f
from triage.models import ChallengeStatus, EscalationStage, Resolution

NOW = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)  # 13:00 BST
SECOND = timedelta(seconds=1)

EXPECTED = {
    "overdue": 2,  # due exactly now; due an hour ago
    "due_soon": 2,  # due in a second; due in exactly four hours
    "unallocated": 3,  # received 24h ago; 24h less a second ago; an hour and a second ago
    "awaiting_decision": 1,
    "information_requests_overdue": 2,  # due exactly now; an hour ago
    "minutes_overdue": 3,  # due a day ago; due just now; sent to professionals, not family
    "actions_overdue": 3,  # two in one discussion (one due just now), one in another
    "challenges_open": 3,
}
# Stage order: (open, past its timescale)
EXPECTED_STAGES = {1: (2, 1), 2: (1, 1), 3: (0, 0)}


def build() -> SimpleNamespace:
    """Call inside ``time_machine.travel(NOW, tick=False)``."""
    w = SimpleNamespace()
    w.screener = f.UserFactory(role=Role.SCREENER, first_name="Sam", last_name="Screener")
    w.manager = f.UserFactory(role=Role.MANAGER, first_name="Mo", last_name="Manager")

    def referral(received_ago: timedelta, due_in: timedelta, **kwargs):
        received = NOW - received_ago
        return f.ReferralFactory(received_at=received, decision_due_at=NOW + due_in, **kwargs)

    def allocated(received_ago, due_in, to, **kwargs):
        return referral(
            received_ago, due_in, in_screening=True, assigned_to=to,
            assigned_at=NOW - received_ago + SECOND, **kwargs,
        )  # fmt: skip

    # Referrals. Unallocated (status "received") unless allocated.
    w.due_now = referral(timedelta(hours=24), timedelta(0))  # overdue, unallocated
    w.due_hour_ago = allocated(timedelta(hours=25), -timedelta(hours=1), w.screener)  # overdue
    w.due_soon_edge = allocated(
        timedelta(hours=20), timedelta(hours=4), w.screener, awaiting_decision=True,
        recommended_by=w.screener, recommended_at=NOW - timedelta(hours=1),
    )  # fmt: skip
    w.just_outside_soon = allocated(timedelta(hours=20), timedelta(hours=4) + SECOND, w.manager)
    w.due_in_a_second = referral(timedelta(hours=24) - SECOND, SECOND)  # due soon, unallocated
    w.unallocated_exactly_flag = referral(timedelta(minutes=60), timedelta(hours=23))  # not yet
    w.unallocated_past_flag = referral(timedelta(minutes=60) + SECOND, timedelta(hours=23))
    w.decided_late = f.DecisionFactory(
        referral=referral(timedelta(hours=48), -timedelta(hours=24))
    ).referral
    assert w.decided_late.status == Status.DECIDED

    # Information requests (each on a new referral received now: on time, not flagged).
    def request(due_in, **kwargs):
        return f.InformationRequestFactory(
            requested_at=NOW - timedelta(hours=5), due_at=NOW + due_in, **kwargs
        )

    w.request_due_now = request(timedelta(0))
    w.request_hour_late = request(-timedelta(hours=1))
    w.request_not_yet = request(SECOND)
    w.request_answered = request(
        -timedelta(hours=2), answer="Known to us.", answered_at=NOW - timedelta(hours=3),
        answered_by=f.UserFactory(role=Role.PARTNER),
    )  # fmt: skip

    # Strategy discussions, each about a referral decided on (section 47) before it was
    # held: in no count of open referrals.
    def discussion(held_ago, minutes_due_in, **kwargs):
        received_ago = held_ago + timedelta(hours=2)
        about = f.DecisionFactory(
            referral=referral(received_ago, timedelta(hours=24) - received_ago),
            outcome=Outcome.STRATEGY_S47,
            threshold_level_id=4,
            decided_at=NOW - held_ago - timedelta(hours=1),
        ).referral
        return f.StrategyDiscussionFactory(
            referral=about, held_at=NOW - held_ago, minutes_due_at=NOW + minutes_due_in, **kwargs
        )

    w.minutes_day_late = discussion(timedelta(days=2), -timedelta(days=1))
    w.minutes_due_now = discussion(timedelta(days=1), timedelta(0))
    w.minutes_not_yet = discussion(timedelta(hours=3), SECOND)
    w.minutes_circulated = discussion(
        timedelta(days=3), -timedelta(days=2), minutes_circulated_at=NOW - timedelta(days=2),
        minutes_to_family_at=NOW - timedelta(days=2),
    )  # fmt: skip
    w.minutes_family_late = discussion(
        timedelta(hours=60), -timedelta(days=1), minutes_circulated_at=NOW - timedelta(days=1)
    )
    # A MASH meeting's minutes are for the agencies: not late for want of the family's.
    w.mash_minutes_sent = discussion(
        timedelta(hours=61), -timedelta(days=1), minutes_circulated_at=NOW - timedelta(days=1),
        kind="mash_meeting",
    )  # fmt: skip
    w.child_not_seen = discussion(
        timedelta(hours=6), timedelta(hours=20), see_child_by=NOW - SECOND
    )
    w.child_seen = discussion(
        timedelta(hours=7), timedelta(hours=20), see_child_by=NOW - timedelta(hours=1),
        child_seen_at=NOW - timedelta(hours=2), child_seen_by="Social worker on duty",
    )  # fmt: skip
    w.child_to_be_seen = discussion(
        timedelta(hours=8), timedelta(hours=20), see_child_by=NOW + timedelta(hours=1)
    )

    def action(on, due_in, **kwargs):
        return f.DiscussionActionFactory(discussion=on, due_at=NOW + due_in, **kwargs)

    action(w.minutes_circulated, timedelta(0))  # overdue: due just now
    action(w.minutes_circulated, -timedelta(days=1))  # overdue
    action(w.minutes_circulated, -timedelta(days=1), done_at=NOW - timedelta(days=1))
    action(w.minutes_day_late, -timedelta(hours=1))  # overdue
    action(w.minutes_day_late, SECOND)

    # Challenges (each on a new decided referral).
    stage1, stage2 = (EscalationStage.objects.get(order=n) for n in (1, 2))
    w.challenge_due_now = f.ChallengeFactory(
        raised_at=NOW - timedelta(days=5), stage=stage1, stage_due_at=NOW
    )
    w.challenge_on_time = f.ChallengeFactory(
        raised_at=NOW - timedelta(days=5), stage=stage1, stage_due_at=NOW + timedelta(days=1)
    )
    w.challenge_stage2_late = f.ChallengeFactory(
        raised_at=NOW - timedelta(days=5),
        stage=stage2,
        stage_due_at=NOW - timedelta(hours=1),
        owner=None,
    )
    manager = f.UserFactory(role=Role.MANAGER)
    f.ChallengeFactory(
        raised_at=NOW - timedelta(days=5), stage=stage1, stage_due_at=NOW - timedelta(days=3),
        status=ChallengeStatus.RESOLVED,
        resolution=Resolution.NOT_UPHELD, resolution_reasons="The decision stands.",
        resolved_by=manager, resolved_at=NOW - timedelta(days=2),
    )  # fmt: skip
    return w
