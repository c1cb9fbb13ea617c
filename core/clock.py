"""The decision clock: pure functions, no Django.

Every referral must be decided by its due time. The clock never pauses. Inputs must be
timezone-aware (``ValueError`` otherwise); every datetime returned is timezone-aware UTC.

Policies (``ClockPolicy``)
--------------------------

``"24h"`` (the default)
    Due 24 hours after receipt in absolute time: a referral received at 01:30 on the night
    the clocks change is due 24 real hours later (01:30 or 02:30 local the next day, which
    is 23 or 25 hours of wall-clock time).

``"working_day"``
    Due one working day after receipt, in Europe/London local time:

    * A *working day* is a local calendar date that is Monday to Friday and not an
      England and Wales bank holiday. Bank holidays come from the ``holidays`` package:
      ``holidays.country_holidays("GB", subdiv="ENG")``. England and Wales share one list
      of bank holidays (``subdiv="WLS"`` gives the same dates; Scotland and Northern
      Ireland differ and are not used). Substitute days ("observed", e.g. Monday 28
      December 2026 for Boxing Day on a Saturday) are bank holidays; the Saturday or
      Sunday itself is not a working day anyway. One-off bank holidays (a coronation, a
      state funeral) are known only once the ``holidays`` package lists them.
    * Received at local time T on a working day: due at the same local wall-clock time T
      on the next working day. Friday 16:00 is due Monday 16:00; Thursday 2 April 2026
      (before Good Friday) 10:00 is due Tuesday 7 April 2026 10:00.
    * Received on a non-working day (weekend or bank holiday): the clock starts at 00:00
      local at the start of the next working day, and the referral is due one working
      day after that, i.e. at 00:00 on the working day after it. Received any time on
      Saturday: the clock starts at 00:00 Monday and the referral is due at 00:00
      Tuesday, so the whole of Monday is the one working day it is given.

      00:00 rather than 09:00: this module knows calendar days, not office hours (the
      front door takes referrals at any hour), and 00:00 keeps the due time monotonic
      in the receipt time. With 09:00, a referral received at 23:59 on Sunday would be
      due at 09:00 on Tuesday, later than one received after it at 08:00 on Monday
      (due 08:00 Tuesday).
    * Clock changes: if the wall-clock time does not exist on the due day (the spring
      gap) or exists twice (the autumn fold), it is resolved with zoneinfo's ``fold=0``
      and normalised through UTC. A time in the gap is read with the offset before the
      change (01:30 on the spring-forward day is 01:30 GMT = 02:30 BST); an ambiguous
      time is the first occurrence (01:30 on the fall-back day is 01:30 BST). In the UK
      the clocks change on a Sunday, which is never a working day, so with the default
      calendar a due time never falls on a change day; the rule matters only for an
      injected calendar.
    * The due time is always on a working day and strictly after receipt. Between 2020
      and 2032 it is at most 5 calendar days after receipt (Friday 24 December 2021 is
      due Wednesday 29 December 2021: Christmas and Boxing Day fell at the weekend and
      were substituted by Monday and Tuesday).

The holiday lookup is injectable: pass ``calendar=WorkingCalendar(holidays={...})``.
The default calendar (``default_calendar()``) is built once and looks bank holidays up
one year at a time, cached.

States (``read_clock``): overdue when ``now >= due_at``; due soon when the time left is
under ``due_soon`` (default 4 hours); otherwise on time.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
DECISION_WINDOW = timedelta(hours=24)
DEFAULT_DUE_SOON = timedelta(hours=4)
WEEKEND = frozenset({5, 6})  # date.weekday(): Saturday and Sunday
_ONE_DAY = timedelta(days=1)
_MAX_SEARCH_DAYS = 366


class ClockPolicy(StrEnum):
    HOURS_24 = "24h"
    WORKING_DAY = "working_day"


class ClockState(StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


def _require_aware(moment: datetime, name: str) -> None:
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


# --- Calendar ---------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _bank_holidays_in(year: int) -> frozenset[date]:
    import holidays  # imported on first use: most callers only need the 24-hour clock

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


class EnglandAndWalesBankHolidays:
    """``day in EnglandAndWalesBankHolidays()``: bank holidays from the holidays package."""

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date) or isinstance(day, datetime):
            return False
        return day in _bank_holidays_in(day.year)

    def __repr__(self) -> str:
        return "EnglandAndWalesBankHolidays()"


@dataclass(frozen=True)
class WorkingCalendar:
    """Which local dates are working days, and the time zone they are local to.

    ``holidays`` is anything that answers ``day in holidays`` for a ``date`` (a set of
    dates in tests). ``weekend`` holds ``date.weekday()`` numbers (Monday is 0).
    """

    holidays: Container[date]
    tz: tzinfo = LONDON
    weekend: frozenset[int] = WEEKEND

    def is_working_day(self, day: date) -> bool:
        return day.weekday() not in self.weekend and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        candidate = day
        for _ in range(_MAX_SEARCH_DAYS):
            candidate += _ONE_DAY
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day in the {_MAX_SEARCH_DAYS} days after {day}")


@cache
def default_calendar() -> WorkingCalendar:
    """Europe/London, Monday to Friday, less England and Wales bank holidays."""
    return WorkingCalendar(holidays=EnglandAndWalesBankHolidays())


# --- Due time ---------------------------------------------------------------------------


def _working_day_due_at(received_at: datetime, calendar: WorkingCalendar) -> datetime:
    local = received_at.astimezone(calendar.tz)
    received_on = local.date()
    if calendar.is_working_day(received_on):
        start_day, wall = received_on, local.time()  # naive: the fold is dropped
    else:
        start_day, wall = calendar.next_working_day(received_on), time(0)
    due_day = calendar.next_working_day(start_day)
    # combine() gives fold=0; astimezone(UTC) resolves a gap or a fold deterministically.
    return datetime.combine(due_day, wall, tzinfo=calendar.tz).astimezone(UTC)


def working_days_after(
    moment: datetime, days: int, calendar: WorkingCalendar | None = None
) -> datetime:
    """The same local wall-clock time ``days`` working days after ``moment`` (from the
    start of the next working day when ``moment`` falls on a weekend or bank holiday):
    for example when strategy-discussion minutes are due."""
    _require_aware(moment, "moment")
    if days < 1:
        raise ValueError("days must be at least 1")
    calendar = calendar or default_calendar()
    due = _working_day_due_at(moment, calendar)
    for _ in range(days - 1):
        local = due.astimezone(calendar.tz)
        next_day = calendar.next_working_day(local.date())
        due = datetime.combine(next_day, local.time(), tzinfo=calendar.tz).astimezone(UTC)
    return due


def decision_due_at(
    received_at: datetime,
    policy: ClockPolicy | str = ClockPolicy.HOURS_24,
    *,
    calendar: WorkingCalendar | None = None,
) -> datetime:
    """When a decision on a referral received at ``received_at`` is due, in UTC.

    ``policy`` is a ``ClockPolicy`` or its value ("24h", "working_day"); ``calendar``
    is used by the working-day policy only (default: ``default_calendar()``).
    """
    _require_aware(received_at, "received_at")
    policy = ClockPolicy(policy)
    if policy is ClockPolicy.HOURS_24:
        # In UTC: adding to a datetime in a zoneinfo zone would add wall-clock time.
        return received_at.astimezone(UTC) + DECISION_WINDOW
    return _working_day_due_at(received_at, calendar or default_calendar())


def add_working_days(
    start: datetime, days: int, *, calendar: WorkingCalendar | None = None
) -> datetime:
    """``days`` working days after ``start``, in UTC: the same local wall-clock time on
    the ``days``-th working day after it (for escalation stages' timescales). A start on
    a non-working day counts from 00:00 on the next working day, as the decision clock
    does."""
    _require_aware(start, "start")
    if days < 1:
        raise ValueError("days must be at least 1")
    calendar = calendar or default_calendar()
    local = start.astimezone(calendar.tz)
    day = local.date()
    if calendar.is_working_day(day):
        wall = local.time()
    else:
        day, wall = calendar.next_working_day(day), time(0)
    for _ in range(days):
        day = calendar.next_working_day(day)
    return datetime.combine(day, wall, tzinfo=calendar.tz).astimezone(UTC)


# --- Reading the clock ------------------------------------------------------------------


@dataclass(frozen=True)
class ClockReading:
    state: ClockState
    time_left: timedelta  # zero or negative once overdue


def read_clock(
    *, due_at: datetime, now: datetime, due_soon: timedelta = DEFAULT_DUE_SOON
) -> ClockReading:
    """Overdue when ``now >= due_at``; due soon when under ``due_soon`` is left."""
    _require_aware(due_at, "due_at")
    _require_aware(now, "now")
    # In UTC: subtracting two datetimes in the same zoneinfo zone ignores their offsets.
    left = due_at.astimezone(UTC) - now.astimezone(UTC)
    if left <= timedelta(0):
        state = ClockState.OVERDUE
    elif left < due_soon:
        state = ClockState.DUE_SOON
    else:
        state = ClockState.ON_TIME
    return ClockReading(state=state, time_left=left)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'s' if count != 1 else ''}"


def describe_duration(length: timedelta) -> str:
    """A length of time as people say it: '5 days 6 hours', '3 hours 20 minutes',
    '45 minutes'. Two units at most, the larger first; a day or more drops the minutes,
    and the remainder is rounded down (seconds are dropped). Days are 24 real hours, as
    the decision clock counts them. The sign is ignored."""
    minutes_total = int(abs(length).total_seconds()) // 60
    days, minutes_left = divmod(minutes_total, 24 * 60)
    hours, minutes = divmod(minutes_left, 60)
    if days:
        return _plural(days, "day") + (f" {_plural(hours, 'hour')}" if hours else "")
    if hours:
        return _plural(hours, "hour") + (f" {_plural(minutes, 'minute')}" if minutes else "")
    return _plural(minutes, "minute")


def describe_time_left(time_left: timedelta) -> str:
    """'3 hours 20 minutes left' or '5 days 6 hours overdue' (``describe_duration``)."""
    return describe_duration(time_left) + (" overdue" if time_left <= timedelta(0) else " left")
