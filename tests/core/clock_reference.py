"""An independent reference calculation for the decision clock (core.clock), and the
moments its tests are generated from.

The reference shares nothing with core.clock: bank holidays are typed out from the
GOV.UK list, British Summer Time comes from its legal rule (01:00 UTC on the last Sunday
of March to 01:00 UTC on the last Sunday of October) rather than from zoneinfo, and "one
working day" is found by spending 24 wall-clock hours of working days from receipt, day
by day, rather than by jumping to the next working day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

LONDON = ZoneInfo("Europe/London")

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


def days_between(first: date, last: date):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


# The true bound: the longest span from receipt to due date over 2020-2032.
LONGEST_SPAN_DAYS = max(ref_day_span(day) for day in days_between(FIRST_DAY, LAST_DAY))

# --- Generated moments ------------------------------------------------------------------


def clock_changes() -> list[datetime]:
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
    clock_changes()
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


def london(*parts: int, fold: int = 0) -> datetime:
    return datetime(*parts, fold=fold, tzinfo=LONDON)
