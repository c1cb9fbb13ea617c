"""The 24-hour decision clock: pure functions, no Django.

Times are timezone-aware. The default policy is 24 hours in absolute time (a referral
received at 01:30 on the night the clocks change is due 24 real hours later). The clock
never pauses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

DECISION_WINDOW = timedelta(hours=24)
DEFAULT_DUE_SOON = timedelta(hours=4)


class ClockPolicy(StrEnum):
    HOURS_24 = "24h"
    WORKING_DAY = "working_day"


class ClockState(StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def decision_due_at(received_at: datetime, policy: ClockPolicy = ClockPolicy.HOURS_24) -> datetime:
    _require_aware(received_at, "received_at")
    if ClockPolicy(policy) is ClockPolicy.HOURS_24:
        return received_at + DECISION_WINDOW
    raise NotImplementedError(f"clock policy {policy} is not available yet")


@dataclass(frozen=True)
class ClockReading:
    state: ClockState
    time_left: timedelta  # negative once overdue


def read_clock(
    *, due_at: datetime, now: datetime, due_soon: timedelta = DEFAULT_DUE_SOON
) -> ClockReading:
    _require_aware(due_at, "due_at")
    _require_aware(now, "now")
    left = due_at - now
    if left <= timedelta(0):
        state = ClockState.OVERDUE
    elif left < due_soon:
        state = ClockState.DUE_SOON
    else:
        state = ClockState.ON_TIME
    return ClockReading(state=state, time_left=left)


def describe_time_left(time_left: timedelta) -> str:
    """'3 hours 20 minutes left' or '2 hours 5 minutes overdue'."""
    seconds = int(abs(time_left).total_seconds())
    hours, remainder = divmod(seconds, 3600)
    minutes = remainder // 60
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes or not hours:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts) + (" overdue" if time_left <= timedelta(0) else " left")
