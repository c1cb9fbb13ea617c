"""The arithmetic behind bench/national.py's front door (bench/national_shape.py): the
census mix, the agencies' shares, the weighted lookups the SQL picks from, NHS numbers
and the working-day calendar. The generator itself needs PostgreSQL and is not run here
(bench/national_check.py checks what it writes)."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest

from agencies.census import AGENCY_TYPE_SOURCE, SOURCE_OF_REFERRAL, AgencyType
from bench import national_shape as shape
from core.clock import WorkingCalendar, add_working_days
from referrals.census import CALLER_SOURCE, CallerType
from referrals.validation import nhs_number_is_valid


def test_sources_are_census_sources_adding_up_to_one():
    shares = shape.source_shares()
    assert sum(shares.values()) == pytest.approx(1)
    codes = Counter()
    for source, share in shares.items():
        if source.startswith("caller:"):
            caller = CallerType(source.split(":", 1)[1])
            code = CALLER_SOURCE.get(caller, "10")  # a professional with no agency: unknown
        else:
            code = AGENCY_TYPE_SOURCE[AgencyType(source)]
        assert code in SOURCE_OF_REFERRAL
        codes[code] += share
    # England's biggest sources, roughly as published for 2024.
    assert codes["6"] == pytest.approx(0.29)
    assert codes["2A"] + codes["2B"] == pytest.approx(0.21)
    assert sum(v for k, v in codes.items() if k.startswith("3")) == pytest.approx(0.15)
    assert sum(codes[k] for k in ("1A", "1B", "1C", "1D")) == pytest.approx(0.08)
    assert codes["10"] == pytest.approx(0.04)


def test_every_agency_source_has_agencies_and_the_plan_has_600():
    plan = shape.agency_plan()
    assert len(plan) == 600
    assert [a.number for a in plan] == list(range(1, 601))
    assert len({a.name for a in plan}) == 600
    kinds = {source for source in shape.source_shares() if not source.startswith("caller:")}
    assert kinds == set(shape.AGENCY_COUNTS) == {a.type for a in plan}
    callers = sum(v for k, v in shape.source_shares().items() if k.startswith("caller:"))
    assert sum(a.share for a in plan) == pytest.approx(1 - callers)


def test_the_biggest_police_force_sends_a_tenth_of_all_referrals():
    plan = shape.agency_plan()
    biggest = max(plan, key=lambda a: a.share)
    assert biggest.type == "police"
    assert biggest.share == pytest.approx(shape.BIGGEST_FORCE_SHARE)
    # At 5,000,000 that is the agency of 500,000 referrals issue 14 sets targets for.
    assert round(biggest.share * 5_000_000) == 500_000


def test_slots_pick_items_by_weight_each_at_least_once():
    weights = [0.5, 0.3, 0.2, 0.000001]
    lookup = shape.slots(weights, 1000)
    assert len(lookup) == 1000
    counts = Counter(lookup)
    assert set(counts) == {1, 2, 3, 4}
    assert counts[4] == 1
    for item, weight in enumerate(weights[:3], start=1):
        assert abs(counts[item] / 1000 - weight) <= 0.002


def test_slots_need_a_place_for_every_item():
    with pytest.raises(ValueError, match="fewer places"):
        shape.slots([1.0] * 5, 4)


def test_cumulative_ladders_end_at_one():
    for weights in (shape.FAMILY_SIZES, shape.EPISODES):
        steps = shape.cumulative(weights)
        assert [v for v, _ in steps] == [v for v, _ in weights]
        assert steps[-1][1] == 1.0
        assert all(a[1] < b[1] for a, b in zip(steps, steps[1:], strict=False))


def test_about_a_child_per_five_referrals():
    families = shape.families_for(5_000_000)
    children = families * shape.mean_family_size()
    assert children == pytest.approx(1_000_000, rel=0.001)


def test_episodes_fit_the_span_more_than_a_year_apart():
    assert shape.max_episodes(8 * 365.25) == 6
    assert shape.max_episodes(2 * 365.25) == 1
    assert shape.max_episodes(30) == 1
    # Six slots of eight years are each longer than the gap and an episode.
    assert shape.EPISODE_GAP_DAYS + shape.EPISODE_DAYS < 8 * 365.25 / 6


def test_re_referrals_within_12_months_come_to_about_22_percent():
    """Within an episode every submission after the first is a re-referral; between
    episodes none is. Expected shares, before the total is made exact."""
    steps = shape.cumulative(shape.EPISODES)
    cap = shape.max_episodes(8 * 365.25)
    previous, episodes = 0.0, 0.0
    for value, p in steps:
        episodes += min(value, cap) * (p - previous)
        previous = p
    repeats = shape.SHARE_WITH_REPEATS / shape.REPEAT_P
    assert repeats / (episodes + repeats) == pytest.approx(shape.RE_REFERRAL_TARGET, abs=0.01)
    assert episodes + repeats == pytest.approx(5, abs=0.1)  # referrals a family


def test_open_referrals_in_proportion():
    assert shape.open_for(5_000_000) == 10_000
    assert shape.open_for(200_000) == 400
    assert shape.open_for(1_000) == 2


def test_nhs_numbers_are_valid_unique_and_in_the_test_range():
    numbers = [shape.nhs_number(p) for p in range(1, 20_001)]
    given = [n for n in numbers if n]
    assert len(given) > 0.85 * len(numbers)  # about one stem in 11 has no valid number
    assert len(set(given)) == len(given)
    assert all(n.startswith("999") and nhs_number_is_valid(n) for n in given)
    assert shape.nhs_number(0) == shape.nhs_number(1_000_001) == ""


def test_nhs_numbers_never_repeat_over_a_million_children():
    """The stem is 999 and (person * 7919) mod 1,000,000: a bijection on a million
    people, as 7919 shares no factor with a million."""
    assert math.gcd(7919, 1_000_000) == 1
    ends = [shape.nhs_number(p) for p in (1, 999_999, 1_000_000, 126_263)]
    assert len({n for n in ends if n}) == len([n for n in ends if n])


def _add_by_index(rows, moment: datetime, days: int, tz) -> datetime:
    """What bench_add_wd does in SQL, from the calendar's rows."""
    by_day = {d: (working, index) for d, working, index in rows}
    by_index = {index: d for d, working, index in rows if working}
    local = moment.astimezone(tz)
    working, index = by_day[local.date()]
    day = by_index[index + (0 if working else 1) + days]
    wall = local.time() if working else time(0)
    return datetime.combine(day, wall, tzinfo=tz).astimezone(UTC)


@pytest.mark.parametrize("days", [1, 2, 3, 5])
def test_the_calendar_gives_core_clocks_working_days(days):
    calendar = WorkingCalendar(holidays={date(2026, 12, 25), date(2026, 12, 28), date(2026, 4, 3)})
    rows = shape.working_days(date(2026, 3, 1), date(2027, 2, 1), calendar.is_working_day)
    assert rows[0][0] == date(2026, 3, 1) and rows[-1][0] == date(2027, 2, 1)
    moment = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
    while moment < datetime(2027, 1, 10, tzinfo=UTC):
        expected = add_working_days(moment, days, calendar=calendar)
        assert _add_by_index(rows, moment, days, calendar.tz) == expected, moment
        moment += timedelta(hours=7, minutes=13)
