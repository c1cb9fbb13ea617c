"""When a referral is due (core.clock.decision_due_at), under each policy, tested against
an independent reference calculation (tests/core/clock_reference.py, which shares nothing
with core.clock); and the clock's settings. Reading the clock (on time, due soon,
overdue) is in test_clock_reading.py."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import example, given, settings

from core import clock
from core.clock import ClockPolicy, WorkingCalendar, decision_due_at, default_calendar
from tests.core.clock_reference import (
    FIRST_DAY,
    LAST_DAY,
    LONDON,
    LONGEST_SPAN_DAYS,
    clock_changes,
    days_between,
    london,
    moments,
    ref_day_span,
    ref_every_day_working,
    ref_from_wall,
    ref_is_working,
    ref_to_wall,
    ref_working_day_due,
    zones,
)

ROOT = Path(__file__).resolve().parents[2]
H24 = ClockPolicy.HOURS_24
WORKING_DAY = ClockPolicy.WORKING_DAY
MANY = settings(max_examples=500, deadline=None)

# --- The reference itself ---------------------------------------------------------------


def test_the_reference_bank_holidays_agree_with_the_holidays_package():
    for day in days_between(FIRST_DAY, LAST_DAY):
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
        for change in clock_changes()
        for step in range(-12, 13)
    ]
    for moment in every_five_hours + near_the_changes:
        assert ref_to_wall(moment) == moment.astimezone(LONDON).replace(tzinfo=None)
    for change in clock_changes():
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
    for day in days_between(FIRST_DAY, LAST_DAY):
        for clock_time in times:
            received = ref_from_wall(datetime.combine(day, clock_time))
            assert decision_due_at(received, WORKING_DAY) == ref_working_day_due(received)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Friday 16:00 is due Monday 16:00, in winter, in summer and across both changes.
        (london(2026, 1, 16, 16), london(2026, 1, 19, 16)),
        (london(2026, 6, 12, 16), london(2026, 6, 15, 16)),
        (london(2026, 3, 27, 16), london(2026, 3, 30, 16)),
        (london(2026, 10, 23, 16), london(2026, 10, 26, 16)),
        # Thursday before Good Friday: Friday and Easter Monday are bank holidays.
        (london(2026, 4, 2, 10), london(2026, 4, 7, 10)),
        # Christmas Eve 2026 (Thursday): Christmas Friday, Boxing Day substituted Monday 28.
        (london(2026, 12, 24, 9, 15), london(2026, 12, 29, 9, 15)),
        # Christmas Eve 2021 (Friday): the longest span, five days.
        (london(2021, 12, 24, 14), london(2021, 12, 29, 14)),
        # New Year's Eve 2032 (Friday): New Year's Day 2033 is a Saturday, substituted Monday.
        (london(2032, 12, 31, 11), london(2033, 1, 4, 11)),
        # Leap days: received on one, and due on one.
        (london(2028, 2, 29, 14), london(2028, 3, 1, 14)),
        (london(2028, 2, 28, 14), london(2028, 2, 29, 14)),
        (london(2024, 2, 29, 9), london(2024, 3, 1, 9)),
        # A working day's first and last moments.
        (london(2026, 1, 12, 0), london(2026, 1, 13, 0)),
        (london(2026, 1, 16, 23, 59, 59), london(2026, 1, 19, 23, 59, 59)),
        # Non-working days: the clock starts at 00:00 on the next working day and the
        # referral is due at 00:00 on the working day after that.
        (london(2026, 1, 10, 10), london(2026, 1, 13, 0)),  # Saturday
        (london(2026, 1, 11, 23, 59, 59), london(2026, 1, 13, 0)),  # Sunday
        (london(2026, 4, 3, 12), london(2026, 4, 8, 0)),  # Good Friday
        (london(2026, 12, 25, 8), london(2026, 12, 30, 0)),  # Christmas Day
        (london(2022, 6, 2, 0), london(2022, 6, 7, 0)),  # Spring bank holiday, Jubilee
        # Received on a change night (Sundays): due 00:00 Tuesday.
        (london(2026, 3, 29, 0, 30), london(2026, 3, 31, 0)),
        (london(2026, 10, 25, 1, 30), london(2026, 10, 27, 0)),
        (london(2026, 10, 25, 1, 30, fold=1), london(2026, 10, 27, 0)),
    ],
)
def test_working_day_examples(received, due):
    got = decision_due_at(received, WORKING_DAY)
    assert got == due.astimezone(UTC)
    assert got.tzinfo is UTC
    assert decision_due_at(received, "working_day") == got


def test_a_later_receipt_is_never_due_earlier_around_the_weekend():
    sunday_night = decision_due_at(london(2026, 1, 11, 23, 59), WORKING_DAY)
    monday_early = decision_due_at(london(2026, 1, 12, 0, 1), WORKING_DAY)
    assert sunday_night == london(2026, 1, 13, 0) < monday_early == london(2026, 1, 13, 0, 1)


@pytest.mark.parametrize(
    ("received", "due_utc"),
    [
        # Saturday 01:30 GMT; Sunday 01:30 does not exist: read as GMT, i.e. 02:30 BST.
        (london(2026, 3, 28, 1, 30), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        # Saturday 02:30 GMT; Sunday 02:30 BST exists.
        (london(2026, 3, 28, 2, 30), datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
        # Saturday 01:30 BST; Sunday 01:30 happens twice: the first, BST.
        (london(2026, 10, 24, 1, 30), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        # Sunday 01:30 GMT (the second 01:30) is due Monday 01:30 GMT.
        (london(2026, 10, 25, 1, 30, fold=1), datetime(2026, 10, 26, 1, 30, tzinfo=UTC)),
    ],
)
def test_working_day_on_a_clock_change_day_with_an_injected_calendar(received, due_utc):
    every_day = WorkingCalendar(holidays=frozenset(), weekend=frozenset())
    assert decision_due_at(received, WORKING_DAY, calendar=every_day) == due_utc


def test_working_day_with_an_injected_holiday_list():
    calendar = WorkingCalendar(holidays={date(2026, 1, 19)})  # a pretend Monday holiday
    received = london(2026, 1, 16, 16)
    assert decision_due_at(received, WORKING_DAY, calendar=calendar) == london(2026, 1, 20, 16)
    # The injected list replaces the bank holidays: Good Friday 2026 is a working day.
    good_friday_eve = london(2026, 4, 2, 10)
    assert decision_due_at(good_friday_eve, WORKING_DAY, calendar=calendar) == london(
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
        decision_due_at(london(2026, 1, 16, 16), WORKING_DAY, calendar=calendar)


def test_the_default_calendar_is_built_once():
    assert default_calendar() is default_calendar()
    assert default_calendar().tz == LONDON
    assert date(2026, 12, 28) in default_calendar().holidays
    assert date(2026, 12, 29) not in default_calendar().holidays


def test_an_unknown_policy_is_refused():
    with pytest.raises(ValueError):
        decision_due_at(london(2026, 1, 16, 16), "weekly")


# --- Naive datetimes --------------------------------------------------------------------

NAIVE = datetime(2026, 1, 16, 16)


@pytest.mark.parametrize("policy", list(ClockPolicy))
def test_decision_due_at_refuses_naive_datetimes(policy):
    with pytest.raises(ValueError, match="received_at must be timezone-aware"):
        decision_due_at(NAIVE, policy)


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
