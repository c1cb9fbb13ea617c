"""working_days_after: when strategy-discussion minutes are due."""

from datetime import UTC, date, datetime

import pytest

from core.clock import WorkingCalendar, working_days_after

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
