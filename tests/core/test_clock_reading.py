"""Reading the decision clock: on time, due soon or overdue, and the time left in words
(core.clock.read_clock and describe_time_left). When a referral is due is in
test_clock.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings

from core.clock import ClockState, describe_time_left, read_clock
from tests.core.clock_reference import london, moments, zones

MANY = settings(max_examples=500, deadline=None)
NAIVE = datetime(2026, 1, 16, 16)
AWARE = datetime(2026, 1, 16, 16, tzinfo=UTC)

DUE = datetime(2026, 1, 19, 16, tzinfo=UTC)


def test_read_clock_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="due_at must be timezone-aware"):
        read_clock(due_at=NAIVE, now=AWARE)
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        read_clock(due_at=AWARE, now=NAIVE)


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
    reading = read_clock(due_at=london(2026, 3, 29, 3), now=london(2026, 3, 29, 0, 30))
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
