"""The decision clock, tested against an independent reference calculation.

The reference below shares nothing with core.clock: bank holidays are typed out from
the GOV.UK list, British Summer Time comes from its legal rule (01:00 UTC on the last
Sunday of March to 01:00 UTC on the last Sunday of October) rather than from zoneinfo,
and "one working day" is found by spending 24 wall-clock hours of working days from
receipt, day by day, rather than by jumping to the next working day.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core import clock
from core.clock import (
    ClockPolicy,
    ClockState,
    WorkingCalendar,
    decision_due_at,
    default_calendar,
    describe_time_left,
    read_clock,
)

ROOT = Path(__file__).resolve().parents[2]
LONDON = ZoneInfo("Europe/London")
H24 = ClockPolicy.HOURS_24
WORKING_DAY = ClockPolicy.WORKING_DAY
MANY = settings(max_examples=500, deadline=None)

# --- The reference ----------------------------------------------------------------------

# England and Wales bank holidays, typed out: GOV.UK's list for the years it publishes,
# the statutory pattern after. Substitute days included; 2022 moved the spring bank
# holiday to 2 June and added the Platinum Jubilee (3 June) and the state funeral.
_BANK_HOLIDAYS_BY_YEAR = {
    2020: ("01-01", "04-10", "04-13", "05-08", "05-25", "08-31", "12-25", "12-28"),
    2021: ("01-01", "04-02", "04-05", "05-03", "05-31", "08-30", "12-27", "12-28"),
    2022: (
        "01-03",
        "04-15",
        "04-18",
        "05-02",
        "06-02",
        "06-03",
        "08-29",
        "09-19",
        "12-26",
        "12-27",
    ),
    2023: ("01-02", "04-07", "04-10", "05-01", "05-08", "05-29", "08-28", "12-25", "12-26"),
    2024: ("01-01", "03-29", "04-01", "05-06", "05-27", "08-26", "12-25", "12-26"),
    2025: ("01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26"),
    2026: ("01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"),
    2027: ("01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"),
    2028: ("01-03", "04-14", "04-17", "05-01", "05-29", "08-28", "12-25", "12-26"),
    2029: ("01-01", "03-30", "04-02", "05-07", "05-28", "08-27", "12-25", "12-26"),
    2030: ("01-01", "04-19", "04-22", "05-06", "05-27", "08-26", "12-25", "12-26"),
    2031: ("01-01", "04-11", "04-14", "05-05", "05-26", "08-25", "12-25", "12-26"),
    2032: ("01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"),
    2033: ("01-03", "04-15", "04-18"),
}
BANK_HOLIDAYS = frozenset(
    date.fromisoformat(f"{year}-{month_day}")
    for year, month_days in _BANK_HOLIDAYS_BY_YEAR.items()
    for month_day in month_days
)
FIRST_DAY, LAST_DAY = date(2020, 1, 1), date(2032, 12, 31)
SATURDAY, SUNDAY = 6, 7  # isoweekday()


def ref_is_working(day: date) -> bool:
    return day.isoweekday() not in (SATURDAY, SUNDAY) and day not in BANK_HOLIDAYS


def ref_every_day_working(day: date) -> bool:
    return True


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month, 31)
    return last - timedelta(days=last.isoweekday() % 7)


def ref_is_bst(utc_naive: datetime) -> bool:
    """British Summer Time: 01:00 UTC, last Sunday in March, to the same in October."""
    start = datetime.combine(_last_sunday(utc_naive.year, 3), time(1))
    end = datetime.combine(_last_sunday(utc_naive.year, 10), time(1))
    return start <= utc_naive < end


def ref_to_wall(moment: datetime) -> datetime:
    """An aware moment as naive London wall-clock time."""
    utc_naive = moment.astimezone(UTC).replace(tzinfo=None)
    return utc_naive + timedelta(hours=1 if ref_is_bst(utc_naive) else 0)


def ref_from_wall(wall: datetime) -> datetime:
    """Naive London wall-clock time as aware UTC: a repeated time is its first (BST)
    occurrence; a missing time is read as GMT, the offset in force before the change."""
    as_bst = wall - timedelta(hours=1)
    if ref_is_bst(as_bst):
        return as_bst.replace(tzinfo=UTC)
    return wall.replace(tzinfo=UTC)


def ref_working_day_due(received_at: datetime, is_working=ref_is_working) -> datetime:
    """The latest moment at which exactly 24 wall-clock hours of working days have been
    spent since receipt (time on non-working days is not spent)."""
    cursor = ref_to_wall(received_at)
    to_spend = timedelta(hours=24)
    while True:
        day_ends = datetime.combine(cursor.date() + timedelta(days=1), time(0))
        if is_working(cursor.date()):
            if day_ends - cursor > to_spend:
                return ref_from_wall(cursor + to_spend)
            to_spend -= day_ends - cursor
        cursor = day_ends
        if to_spend == timedelta(0) and is_working(cursor.date()):
            return ref_from_wall(cursor)


def ref_day_span(day: date) -> int:
    """Calendar days from a receipt on ``day`` to its due date (the same for any time of
    a working day; at the start of a non-working day for the longest span)."""
    due = ref_working_day_due(ref_from_wall(datetime.combine(day, time(0))))
    return (ref_to_wall(due).date() - day).days


def _days(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


# The true bound: the longest span from receipt to due date over 2020-2032.
LONGEST_SPAN_DAYS = max(ref_day_span(day) for day in _days(FIRST_DAY, LAST_DAY))

# --- Generated moments ------------------------------------------------------------------


def _clock_changes() -> list[datetime]:
    years = range(FIRST_DAY.year, LAST_DAY.year + 1)
    return [
        datetime.combine(_last_sunday(year, month), time(1), tzinfo=UTC)
        for year in years
        for month in (3, 10)
    ]


def _local_midnight(day: date) -> datetime:
    return ref_from_wall(datetime.combine(day, time(0)))


LEAP_DAYS = [date(year, 2, 29) for year in (2020, 2024, 2028, 2032)]
ANCHORS = sorted(
    _clock_changes()
    + [_local_midnight(day) for day in BANK_HOLIDAYS if day <= LAST_DAY]
    + [_local_midnight(day) for day in LEAP_DAYS]
)

uniform_moments = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2032, 12, 31, 23, 59, 59, 999_999),
    timezones=st.just(UTC),
)
offsets = st.one_of(
    st.integers(-4 * 24, 4 * 24).map(lambda hours: timedelta(hours=hours)),
    st.integers(-4 * 24 * 60, 4 * 24 * 60).map(lambda minutes: timedelta(minutes=minutes)),
    st.integers(-4 * 86_400 * 10**6, 4 * 86_400 * 10**6).map(
        lambda micro: timedelta(microseconds=micro)
    ),
)
near_anchors = st.builds(lambda anchor, offset: anchor + offset, st.sampled_from(ANCHORS), offsets)
# Aware datetimes in UTC, 2020-2032: half uniform, half within four days of a clock
# change, a bank holiday or a leap day (weekends come with all of them).
moments = st.one_of(uniform_moments, near_anchors).filter(
    lambda moment: moment.year in range(2020, 2033)
)
zones = st.sampled_from(
    [UTC, LONDON, ZoneInfo("America/New_York"), timezone(timedelta(hours=5, minutes=30))]
)

# --- The reference itself ---------------------------------------------------------------


def test_the_reference_bank_holidays_agree_with_the_holidays_package():
    for day in _days(FIRST_DAY, LAST_DAY):
        assert default_calendar().is_working_day(day) == ref_is_working(day), day


def test_england_and_wales_share_bank_holidays():
    years = range(FIRST_DAY.year, LAST_DAY.year + 1)
    england = holidays.country_holidays("GB", subdiv="ENG", years=years)
    wales = holidays.country_holidays("GB", subdiv="WLS", years=years)
    assert sorted(england) == sorted(wales)


def test_the_reference_summer_time_agrees_with_zoneinfo():
    every_five_hours = [
        datetime(2020, 1, 1, tzinfo=UTC) + timedelta(hours=5 * step) for step in range(22_800)
    ]
    near_the_changes = [
        change + timedelta(minutes=15 * step)
        for change in _clock_changes()
        for step in range(-12, 13)
    ]
    for moment in every_five_hours + near_the_changes:
        assert ref_to_wall(moment) == moment.astimezone(LONDON).replace(tzinfo=None)
    for change in _clock_changes():
        wall = ref_to_wall(change - timedelta(hours=1)) + timedelta(minutes=90)  # 01:30
        assert ref_from_wall(wall) == wall.replace(tzinfo=LONDON).astimezone(UTC)


def test_the_longest_span_is_five_days():
    assert LONGEST_SPAN_DAYS == 5
    # Christmas and Boxing Day 2021 fell at the weekend; Monday and Tuesday replaced them.
    assert ref_day_span(date(2021, 12, 24)) == 5


# --- The 24-hour policy -----------------------------------------------------------------


@MANY
@given(received=moments, zone=zones)
def test_24h_is_exactly_24_hours_in_absolute_time(received, zone):
    due = decision_due_at(received.astimezone(zone))
    assert due.tzinfo is UTC
    assert due - received == timedelta(hours=24)
    assert due == decision_due_at(received, H24) == decision_due_at(received, "24h")


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Spring forward, Sunday 29 March 2026: 01:00 GMT becomes 02:00 BST.
        (datetime(2026, 3, 28, 1, 30, tzinfo=LONDON), datetime(2026, 3, 29, 2, 30, tzinfo=LONDON)),
        (datetime(2026, 3, 29, 0, 30, tzinfo=LONDON), datetime(2026, 3, 30, 1, 30, tzinfo=LONDON)),
        (datetime(2026, 3, 29, 2, 30, tzinfo=LONDON), datetime(2026, 3, 30, 2, 30, tzinfo=LONDON)),
        # Fall back, Sunday 25 October 2026: 01:30 happens twice, BST then GMT.
        (
            datetime(2026, 10, 24, 1, 30, tzinfo=LONDON),
            datetime(2026, 10, 25, 1, 30, tzinfo=LONDON),
        ),
        (
            datetime(2026, 10, 24, 2, 30, tzinfo=LONDON),
            datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON),
        ),
        (
            datetime(2026, 10, 25, 1, 30, tzinfo=LONDON),
            datetime(2026, 10, 26, 0, 30, tzinfo=LONDON),
        ),
        (
            datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON),
            datetime(2026, 10, 26, 1, 30, tzinfo=LONDON),
        ),
    ],
)
def test_24h_across_the_clock_changes(received, due):
    # Compared in UTC: Python never finds a repeated local time equal to another zone's.
    got = decision_due_at(received)
    assert got == due.astimezone(UTC)
    assert got.tzinfo is UTC
    assert got - received.astimezone(UTC) == timedelta(hours=24)


def test_24h_is_the_default_policy():
    received = datetime(2026, 1, 16, 16, tzinfo=UTC)  # a Friday
    assert decision_due_at(received) == datetime(2026, 1, 17, 16, tzinfo=UTC)


# --- The working-day policy -------------------------------------------------------------


@MANY
@given(received=moments, zone=zones)
@example(received=datetime(2021, 12, 24, 23, 59, 59, 999_999, tzinfo=UTC), zone=UTC)
@example(received=datetime(2028, 2, 29, 12, tzinfo=UTC), zone=LONDON)
def test_working_day_matches_the_reference(received, zone):
    due = decision_due_at(received.astimezone(zone), WORKING_DAY)
    assert due.tzinfo is UTC
    assert due == ref_working_day_due(received)


@MANY
@given(received=moments)
def test_working_day_is_due_on_a_working_day_strictly_after_receipt(received):
    due = decision_due_at(received, WORKING_DAY)
    assert due > received
    assert ref_is_working(ref_to_wall(due).date())
    span = ref_to_wall(due).date() - ref_to_wall(received).date()
    assert timedelta(days=1) <= span <= timedelta(days=LONGEST_SPAN_DAYS)
    assert due - received <= timedelta(days=LONGEST_SPAN_DAYS, hours=1)


@MANY
@given(first=moments, second=moments)
def test_working_day_never_gives_a_later_referral_an_earlier_due_time(first, second):
    first, second = sorted([first, second])
    assert decision_due_at(first, WORKING_DAY) <= decision_due_at(second, WORKING_DAY)


@MANY
@given(received=moments)
def test_working_day_clock_change_rule_with_every_day_a_working_day(received):
    """An injected calendar where the due day can be the day the clocks change."""
    every_day = WorkingCalendar(holidays=frozenset(), weekend=frozenset())
    due = decision_due_at(received, WORKING_DAY, calendar=every_day)
    assert due == ref_working_day_due(received, is_working=ref_every_day_working)


def test_working_day_exhaustively_over_every_day_2020_to_2032():
    times = [time(0), time(0, 0, 0, 1), time(9, 30), time(23, 59, 59, 999_999)]
    for day in _days(FIRST_DAY, LAST_DAY):
        for clock_time in times:
            received = ref_from_wall(datetime.combine(day, clock_time))
            assert decision_due_at(received, WORKING_DAY) == ref_working_day_due(received)


def _london(*parts: int, fold: int = 0) -> datetime:
    return datetime(*parts, fold=fold, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Friday 16:00 is due Monday 16:00, in winter, in summer and across both changes.
        (_london(2026, 1, 16, 16), _london(2026, 1, 19, 16)),
        (_london(2026, 6, 12, 16), _london(2026, 6, 15, 16)),
        (_london(2026, 3, 27, 16), _london(2026, 3, 30, 16)),
        (_london(2026, 10, 23, 16), _london(2026, 10, 26, 16)),
        # Thursday before Good Friday: Friday and Easter Monday are bank holidays.
        (_london(2026, 4, 2, 10), _london(2026, 4, 7, 10)),
        # Christmas Eve 2026 (Thursday): Christmas Friday, Boxing Day substituted Monday 28.
        (_london(2026, 12, 24, 9, 15), _london(2026, 12, 29, 9, 15)),
        # Christmas Eve 2021 (Friday): the longest span, five days.
        (_london(2021, 12, 24, 14), _london(2021, 12, 29, 14)),
        # New Year's Eve 2032 (Friday): New Year's Day 2033 is a Saturday, substituted Monday.
        (_london(2032, 12, 31, 11), _london(2033, 1, 4, 11)),
        # Leap days: received on one, and due on one.
        (_london(2028, 2, 29, 14), _london(2028, 3, 1, 14)),
        (_london(2028, 2, 28, 14), _london(2028, 2, 29, 14)),
        (_london(2024, 2, 29, 9), _london(2024, 3, 1, 9)),
        # A working day's first and last moments.
        (_london(2026, 1, 12, 0), _london(2026, 1, 13, 0)),
        (_london(2026, 1, 16, 23, 59, 59), _london(2026, 1, 19, 23, 59, 59)),
        # Non-working days: the clock starts at 00:00 on the next working day and the
        # referral is due at 00:00 on the working day after that.
        (_london(2026, 1, 10, 10), _london(2026, 1, 13, 0)),  # Saturday
        (_london(2026, 1, 11, 23, 59, 59), _london(2026, 1, 13, 0)),  # Sunday
        (_london(2026, 4, 3, 12), _london(2026, 4, 8, 0)),  # Good Friday
        (_london(2026, 12, 25, 8), _london(2026, 12, 30, 0)),  # Christmas Day
        (_london(2022, 6, 2, 0), _london(2022, 6, 7, 0)),  # Spring bank holiday, Jubilee
        # Received on a change night (Sundays): due 00:00 Tuesday.
        (_london(2026, 3, 29, 0, 30), _london(2026, 3, 31, 0)),
        (_london(2026, 10, 25, 1, 30), _london(2026, 10, 27, 0)),
        (_london(2026, 10, 25, 1, 30, fold=1), _london(2026, 10, 27, 0)),
    ],
)
def test_working_day_examples(received, due):
    got = decision_due_at(received, WORKING_DAY)
    assert got == due.astimezone(UTC)
    assert got.tzinfo is UTC
    assert decision_due_at(received, "working_day") == got


def test_a_later_receipt_is_never_due_earlier_around_the_weekend():
    sunday_night = decision_due_at(_london(2026, 1, 11, 23, 59), WORKING_DAY)
    monday_early = decision_due_at(_london(2026, 1, 12, 0, 1), WORKING_DAY)
    assert sunday_night == _london(2026, 1, 13, 0) < monday_early == _london(2026, 1, 13, 0, 1)


@pytest.mark.parametrize(
    ("received", "due_utc"),
    [
        # Saturday 01:30 GMT; Sunday 01:30 does not exist: read as GMT, i.e. 02:30 BST.
        (_london(2026, 3, 28, 1, 30), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        # Saturday 02:30 GMT; Sunday 02:30 BST exists.
        (_london(2026, 3, 28, 2, 30), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        # Saturday 01:30 BST; Sunday 01:30 happens twice: the first, BST.
        (_london(2026, 10, 24, 1, 30), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        # Sunday 01:30 GMT (the second 01:30) is due Monday 01:30 GMT.
        (_london(2026, 10, 25, 1, 30, fold=1), datetime(2026, 10, 26, 1, 30, tzinfo=UTC)),
    ],
)
def test_working_day_on_a_clock_change_day_with_an_injected_calendar(received, due_utc):
    every_day = WorkingCalendar(holidays=frozenset(), weekend=frozenset())
    assert decision_due_at(received, WORKING_DAY, calendar=every_day) == due_utc


def test_working_day_with_an_injected_holiday_list():
    calendar = WorkingCalendar(holidays={date(2026, 1, 19)})  # a pretend Monday holiday
    received = _london(2026, 1, 16, 16)
    assert decision_due_at(received, WORKING_DAY, calendar=calendar) == _london(2026, 1, 20, 16)
    # The injected list replaces the bank holidays: Good Friday 2026 is a working day.
    good_friday_eve = _london(2026, 4, 2, 10)
    assert decision_due_at(good_friday_eve, WORKING_DAY, calendar=calendar) == _london(
        2026, 4, 3, 10
    )


def test_working_day_with_an_injected_time_zone():
    calendar = WorkingCalendar(holidays=frozenset(), tz=ZoneInfo("America/New_York"))
    received = datetime(2026, 1, 16, 22, tzinfo=UTC)  # Friday 17:00 in New York
    assert decision_due_at(received, WORKING_DAY, calendar=calendar) == datetime(
        2026, 1, 19, 22, tzinfo=UTC
    )


def test_a_calendar_with_no_working_days_fails_loudly():
    calendar = WorkingCalendar(holidays=frozenset(), weekend=frozenset(range(7)))
    with pytest.raises(ValueError, match="no working day"):
        decision_due_at(_london(2026, 1, 16, 16), WORKING_DAY, calendar=calendar)


def test_the_default_calendar_is_built_once():
    assert default_calendar() is default_calendar()
    assert default_calendar().tz == LONDON
    assert date(2026, 12, 28) in default_calendar().holidays
    assert date(2026, 12, 29) not in default_calendar().holidays


def test_an_unknown_policy_is_refused():
    with pytest.raises(ValueError):
        decision_due_at(_london(2026, 1, 16, 16), "weekly")


# --- Naive datetimes --------------------------------------------------------------------

NAIVE = datetime(2026, 1, 16, 16)
AWARE = datetime(2026, 1, 16, 16, tzinfo=UTC)


@pytest.mark.parametrize("policy", list(ClockPolicy))
def test_decision_due_at_refuses_naive_datetimes(policy):
    with pytest.raises(ValueError, match="received_at must be timezone-aware"):
        decision_due_at(NAIVE, policy)


def test_read_clock_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="due_at must be timezone-aware"):
        read_clock(due_at=NAIVE, now=AWARE)
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        read_clock(due_at=AWARE, now=NAIVE)


# --- Reading the clock ------------------------------------------------------------------

DUE = datetime(2026, 1, 19, 16, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "state", "left"),
    [
        (DUE + timedelta(hours=2), ClockState.OVERDUE, -timedelta(hours=2)),
        (DUE, ClockState.OVERDUE, timedelta(0)),
        (DUE - timedelta(microseconds=1), ClockState.DUE_SOON, timedelta(microseconds=1)),
        (DUE - timedelta(seconds=1), ClockState.DUE_SOON, timedelta(seconds=1)),
        (DUE - timedelta(hours=4) + timedelta(seconds=1), ClockState.DUE_SOON, None),
        (DUE - timedelta(hours=4), ClockState.ON_TIME, timedelta(hours=4)),
        (DUE - timedelta(hours=23), ClockState.ON_TIME, timedelta(hours=23)),
    ],
)
def test_read_clock_boundaries(now, state, left):
    reading = read_clock(due_at=DUE, now=now)
    assert reading.state is state
    assert reading.time_left == (DUE - now if left is None else left)


def test_read_clock_with_another_due_soon_threshold():
    two_hours = timedelta(hours=2)
    assert read_clock(due_at=DUE, now=DUE - timedelta(hours=3), due_soon=two_hours).state is (
        ClockState.ON_TIME
    )
    assert read_clock(due_at=DUE, now=DUE - timedelta(hours=2), due_soon=two_hours).state is (
        ClockState.ON_TIME
    )
    assert read_clock(due_at=DUE, now=DUE - timedelta(hours=1), due_soon=two_hours).state is (
        ClockState.DUE_SOON
    )


def test_read_clock_counts_real_time_across_a_clock_change():
    # Both in London time: 00:30 GMT to 03:00 BST is 1 hour 30 minutes, not 2 hours 30.
    reading = read_clock(due_at=_london(2026, 3, 29, 3), now=_london(2026, 3, 29, 0, 30))
    assert reading.time_left == timedelta(hours=1, minutes=30)
    assert reading.state is ClockState.DUE_SOON


@MANY
@given(due=moments, now=moments, due_zone=zones, now_zone=zones)
def test_read_clock_states(due, now, due_zone, now_zone):
    reading = read_clock(due_at=due.astimezone(due_zone), now=now.astimezone(now_zone))
    assert reading.time_left == due - now
    if now >= due:
        assert reading.state is ClockState.OVERDUE
    elif due - now < timedelta(hours=4):
        assert reading.state is ClockState.DUE_SOON
    else:
        assert reading.state is ClockState.ON_TIME


# --- Wording ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("time_left", "words"),
    [
        (timedelta(hours=3, minutes=20), "3 hours 20 minutes left"),
        (-timedelta(hours=2, minutes=5), "2 hours 5 minutes overdue"),
        (timedelta(hours=1), "1 hour left"),
        (timedelta(hours=1, minutes=1, seconds=59), "1 hour 1 minute left"),
        (timedelta(hours=25), "1 day 1 hour left"),
        (timedelta(hours=24), "1 day left"),
        (timedelta(hours=23, minutes=59), "23 hours 59 minutes left"),
        (-timedelta(hours=126, minutes=6), "5 days 6 hours overdue"),
        (-timedelta(days=2), "2 days overdue"),
        (timedelta(minutes=30), "30 minutes left"),
        (timedelta(seconds=59), "0 minutes left"),
        (timedelta(0), "0 minutes overdue"),
        (-timedelta(seconds=30), "0 minutes overdue"),
        (-timedelta(minutes=1), "1 minute overdue"),
        (-timedelta(days=2, hours=1), "2 days 1 hour overdue"),
    ],
)
def test_describe_time_left(time_left, words):
    assert describe_time_left(time_left) == words


# --- Conventions and settings -----------------------------------------------------------


def test_the_clock_module_does_not_import_django():
    tree = ast.parse(Path(clock.__file__).read_text())
    imported = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [name for name in imported if name.split(".")[0] == "django"]


def _import_settings(tmp_path, **env) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"FRONTDOOR_DECISION_CLOCK", "FRONTDOOR_DUE_SOON_HOURS", "DJANGO_DEBUG"}
    }
    environment.update(DJANGO_DEBUG="true", FRONTDOOR_VAR_DIR=str(tmp_path), **env)
    code = (
        "from frontdoor import settings as s; "
        "print(repr(s.DECISION_CLOCK_POLICY), s.DUE_SOON_HOURS)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_clock_settings(tmp_path):
    default = _import_settings(tmp_path)
    assert default.returncode == 0, default.stderr
    assert default.stdout.strip() == "<ClockPolicy.HOURS_24: '24h'> 4"

    chosen = _import_settings(
        tmp_path, FRONTDOOR_DECISION_CLOCK="working_day", FRONTDOOR_DUE_SOON_HOURS="6"
    )
    assert chosen.stdout.strip() == "<ClockPolicy.WORKING_DAY: 'working_day'> 6"

    wrong = _import_settings(tmp_path, FRONTDOOR_DECISION_CLOCK="weekly")
    assert wrong.returncode != 0
    assert "ImproperlyConfigured: FRONTDOOR_DECISION_CLOCK must be one of" in wrong.stderr
