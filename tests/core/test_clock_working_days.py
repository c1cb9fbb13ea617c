"""working_days_after: when strategy-discussion minutes are due."""

from datetime import UTC, date, datetime

import pytest

from core.clock import WorkingCalendar, on_a_working_day, working_days_after

CALENDAR = WorkingCalendar(holidays={date(2026, 12, 25), date(2026, 12, 28)})


@pytest.mark.parametrize(
    ("held", "days", "due"),
    [
        # Tuesday 10:00 UTC (GMT) -> Wednesday 10:00.
        (datetime(2026, 11, 24, 10, tzinfo=UTC), 1, datetime(2026, 11, 25, 10, tzinfo=UTC)),
        # Friday afternoon -> Monday afternoon.
        (datetime(2026, 11, 27, 16, tzinfo=UTC), 1, datetime(2026, 11, 30, 16, tzinfo=UTC)),
        # Saturday -> the start of Tuesday (Monday is the first working day).
        (datetime(2026, 11, 28, 11, tzinfo=UTC), 1, datetime(2026, 12, 1, 0, tzinfo=UTC)),
        # Christmas Eve -> over Christmas Day, the weekend and the Boxing Day substitute.
        (datetime(2026, 12, 24, 9, tzinfo=UTC), 1, datetime(2026, 12, 29, 9, tzinfo=UTC)),
        (datetime(2026, 11, 24, 10, tzinfo=UTC), 3, datetime(2026, 11, 27, 10, tzinfo=UTC)),
        (datetime(2026, 11, 26, 10, tzinfo=UTC), 2, datetime(2026, 11, 30, 10, tzinfo=UTC)),
    ],
)
def test_working_days_after(held, days, due):
    assert working_days_after(held, days, CALENDAR) == due


def test_working_days_after_needs_an_aware_time_and_a_day():
    with pytest.raises(ValueError):
        working_days_after(datetime(2026, 11, 24, 10), 1, CALENDAR)
    with pytest.raises(ValueError):
        working_days_after(datetime(2026, 11, 24, 10, tzinfo=UTC), 0, CALENDAR)


# --- on_a_working_day: a partner's answer is not asked for on a Sunday ------------------


@pytest.mark.parametrize(
    ("moment", "moved_to"),
    [
        # Tuesday: kept.
        (datetime(2026, 11, 24, 14, tzinfo=UTC), datetime(2026, 11, 24, 14, tzinfo=UTC)),
        # Sunday 14:00 -> Monday 14:00; Saturday 23:30 -> Monday 23:30.
        (datetime(2026, 11, 29, 14, tzinfo=UTC), datetime(2026, 11, 30, 14, tzinfo=UTC)),
        (datetime(2026, 11, 28, 23, 30, tzinfo=UTC), datetime(2026, 11, 30, 23, 30, tzinfo=UTC)),
        # Christmas Day (Friday) -> over the weekend and the Boxing Day substitute to Tuesday.
        (datetime(2026, 12, 25, 11, tzinfo=UTC), datetime(2026, 12, 29, 11, tzinfo=UTC)),
        # Local time decides the day: 23:30 UTC on Friday 5 June is Saturday 00:30 BST.
        (datetime(2026, 6, 5, 23, 30, tzinfo=UTC), datetime(2026, 6, 7, 23, 30, tzinfo=UTC)),
    ],
)
def test_on_a_working_day(moment, moved_to):
    assert on_a_working_day(moment, CALENDAR) == moved_to


def test_on_a_working_day_uses_the_bank_holidays_by_default():
    # Monday 31 August 2026 is the summer bank holiday in England and Wales.
    assert on_a_working_day(datetime(2026, 8, 31, 9, tzinfo=UTC)) == datetime(
        2026, 9, 1, 9, tzinfo=UTC
    )
