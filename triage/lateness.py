"""What is late, or about to be, as of a given moment: one definition of each, shared by
the lists that filter on it (the queue, the challenges, the strategy discussions) and by
the managers' dashboard that counts it, so a count and the list behind it always agree.

Each edge matches the clock scans that raise the notices (triage.services.notices): a
thing due at ``now`` is late at ``now``; "due soon" is after ``now`` and at or before
``now`` plus the window; a referral is flagged unallocated once strictly more than
FRONTDOOR_UNALLOCATED_FLAG_MINUTES have passed since it was received (as the queue's
badge, ``selectors.is_unallocated_too_long``, has it)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from referrals.models import Status
from triage.models import DiscussionKind

OPEN_WORK = (Status.SCREENING, Status.AWAITING_DECISION)


def undecided() -> Q:
    return ~Q(status=Status.DECIDED)


def decision_overdue(now: datetime) -> Q:
    return undecided() & Q(decision_due_at__lte=now)


def decision_due_soon(now: datetime) -> Q:
    return undecided() & Q(decision_due_at__gt=now, decision_due_at__lte=now + settings.DUE_SOON)


def unallocated_flag_after() -> timedelta:
    return timedelta(minutes=settings.UNALLOCATED_FLAG_MINUTES)


def unallocated_past_flag(now: datetime) -> Q:
    # "Received" is exactly "not allocated and undecided" (a database constraint says so).
    return Q(status=Status.RECEIVED, received_at__lt=now - unallocated_flag_after())


def awaiting_decision() -> Q:
    return Q(status=Status.AWAITING_DECISION)


def allocated_open_work() -> Q:
    """Allocated and undecided: a screener's or a manager's open work."""
    return Q(status__in=OPEN_WORK)


def information_request_overdue(now: datetime) -> Q:
    return Q(answered_at__isnull=True, due_at__lte=now)


def minutes_overdue(now: datetime) -> Q:
    """Of a discussion: its due time has passed and the minutes have not gone to the
    professionals or, for a strategy discussion, to the family (a MASH information-sharing
    meeting's minutes are for the agencies)."""
    # discussion_minutes_out_idx is a partial index on ``not_sent``: keep the two alike.
    not_sent = Q(minutes_circulated_at__isnull=True) | Q(
        minutes_to_family_at__isnull=True, kind=DiscussionKind.STRATEGY_DISCUSSION
    )
    return Q(minutes_due_at__lte=now) & not_sent


def action_overdue(now: datetime) -> Q:
    """Of a discussion's action."""
    return Q(done_at__isnull=True, due_at__lte=now)


def child_not_seen_in_time(now: datetime) -> Q:
    """Of a strategy discussion: the time agreed for seeing the child has passed with no
    visit recorded. (discussion_child_unseen_idx is a partial index on the first two.)"""
    return Q(child_seen_at__isnull=True, see_child_by__isnull=False, see_child_by__lte=now)


def challenge_past_timescale(now: datetime) -> Q:
    """Of an open challenge: its stage's response is due at or before ``now``."""
    return Q(stage_due_at__lte=now)
