"""The performance figures' summary table: its refresh (idempotent, the right totals,
complete weeks only, a week with a clock change), the beat tasks that keep it, and the
page saying how fresh its figures are. Each figure read through the summary is checked
against the hand counts in test_performance.py (run there through both paths)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from agencies.models import Role
from core.clock import LONDON
from frontdoor.celery import app as celery_app
from referrals.census import CallerType
from reporting import performance as p
from reporting import summary, tasks
from reporting.models import SummaryWeek, WeeklyFigures, WeeklyTotals
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 4, 17, 12, 0, tzinfo=LONDON)  # Friday of the week of 13 April, BST
W23, W30, W6, W13 = date(2026, 3, 23), date(2026, 3, 30), date(2026, 4, 6), date(2026, 4, 13)
PERIOD = p.Period(first=W23, last=date(2026, 4, 19))


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def referral(received_at, **kwargs):
    return f.ReferralFactory(received_at=received_at, **kwargs)


def referrals_in_summary(week: date) -> int:
    return sum(
        row.counts.get("referrals", {}).get("n", 0)
        for row in WeeklyFigures.objects.filter(week=week)
    )


def test_refresh_counts_each_complete_week_per_agency_and_is_idempotent():
    school, police = f.AgencyFactory(type="school"), f.AgencyFactory(type="police")
    for agency in (school, school, police):
        referral(
            datetime(2026, 4, 7, 10, tzinfo=LONDON),
            referrer=f.UserFactory(role=Role.REFERRER, agency=agency),
        )

    summary.refresh(weeks=[W6], now=NOW)
    summary.refresh(weeks=[W6], now=NOW)

    rows = {row.agency_id: row.counts for row in WeeklyFigures.objects.filter(week=W6)}
    assert rows[school.pk]["referrals"] == {"n": 2}
    assert rows[police.pk]["referrals"] == {"n": 1}
    assert WeeklyFigures.objects.filter(week=W6).count() == 2
    assert SummaryWeek.objects.get(week=W6).refreshed_at == NOW


def test_a_referral_decided_after_a_refresh_counts_at_the_next():
    ref = referral(datetime(2026, 4, 7, 10, tzinfo=LONDON))
    summary.refresh(weeks=[W6], now=NOW - timedelta(hours=1))
    f.DecisionFactory(referral=ref, decided_at=ref.received_at + timedelta(hours=2))

    summary.refresh(weeks=[W6], now=NOW)

    (row,) = WeeklyFigures.objects.filter(week=W6)
    assert row.counts["in_time"] == {"counted": 1, "in_time": 1}
    assert row.counts[summary.MINUTES] == {"120": 1}


def test_a_week_refreshed_before_a_referral_counts_it_at_the_next_refresh():
    summary.refresh(weeks=summary.complete_weeks(first=W23, now=NOW), now=NOW)
    referral(datetime(2026, 4, 16, 9, tzinfo=LONDON))  # this week, not summarised: live
    referral(datetime(2026, 4, 8, 9, tzinfo=LONDON))  # a summarised week, after it

    source = summary.Source(period=PERIOD, scope=p.Scope(), now=NOW)
    totals = {w.monday: w.values["total"] for w in source.referrals_by_agency_type()}

    assert list(source.summarised) == [W23, W30, W6]
    assert source.live == p.Period(first=W13, last=date(2026, 4, 19))
    assert totals == {W23: 0, W30: 0, W6: 0, W13: 1}  # W6 waits for the next refresh
    assert source.as_of == NOW


def test_the_current_week_is_read_from_the_summary_while_its_count_is_recent():
    referral(datetime(2026, 4, 14, 9, tzinfo=LONDON))
    summary.refresh(weeks=summary.recent_weeks(now=NOW), now=NOW - timedelta(minutes=4))
    referral(datetime(2026, 4, 16, 9, tzinfo=LONDON))  # after the refresh

    source = summary.Source(period=PERIOD, scope=p.Scope(), now=NOW)

    assert list(source.summarised) == [W23, W30, W6, W13]
    assert source.live is None
    assert source.as_of == NOW - timedelta(minutes=4)
    assert source.referrals_by_agency_type()[-1].values["total"] == 1


def test_a_stale_current_week_is_counted_live_when_the_beat_has_stopped():
    referral(datetime(2026, 4, 14, 9, tzinfo=LONDON))
    summary.refresh(weeks=summary.recent_weeks(now=NOW), now=NOW - timedelta(minutes=16))
    referral(datetime(2026, 4, 16, 9, tzinfo=LONDON))

    source = summary.Source(period=PERIOD, scope=p.Scope(), now=NOW)

    assert list(source.summarised) == [W23, W30, W6]
    assert source.live == p.Period(first=W13, last=date(2026, 4, 19))
    assert source.referrals_by_agency_type()[-1].values["total"] == 2


def test_the_totals_add_up_the_agencies_rows_over_all_and_by_type():
    school_a, school_b = f.AgencyFactory(type="school"), f.AgencyFactory(type="school")
    police = f.AgencyFactory(type="police")
    for agency in (school_a, school_b, school_b, police):
        referral(
            datetime(2026, 4, 7, 10, tzinfo=LONDON),
            referrer=f.UserFactory(role=Role.REFERRER, agency=agency),
        )
    screener = f.UserFactory(role=Role.SCREENER)
    referral(  # a call recorded by the front door: no agency
        datetime(2026, 4, 8, 10, tzinfo=LONDON),
        referrer=None,
        agency=None,
        submission__submitted_by=screener,
        recorded_by=screener,
        caller_type=CallerType.values[0],
    )

    summary.refresh(weeks=[W6], now=NOW)

    totals = {row.scope: row.counts for row in WeeklyTotals.objects.filter(week=W6)}
    assert set(totals) == {"all", "type:school", "type:police"}
    assert totals["all"]["referrals"] == {"n": 5}
    assert totals["type:school"]["referrals"] == {"n": 3}
    assert totals["type:police"]["referrals"] == {"n": 1}
    by_type = summary.Source(
        period=p.Period(first=W6, last=W6 + timedelta(days=6)), scope=p.Scope(), now=NOW
    ).referrals_by_agency_type()
    assert by_type[0].values == {"total": 5, "school": 3, "police": 1, "none": 1}


@pytest.mark.parametrize(
    "histogram",
    [{}, {"5": 1}, {"5": 1, "7": 1}, {"0": 3, "60": 1, "1500": 2}, {"90": 40, "30": 1, "2000": 9}],
)
def test_the_histogram_gives_the_percentiles_of_the_times_it_holds(histogram):
    hours = [int(minute) / 60 for minute, n in histogram.items() for _ in range(n)]

    assert summary.histogram_values(histogram) == pytest.approx(p.time_to_decision_values(hours))


def test_a_week_not_summarised_is_counted_live_with_every_week_after_it():
    referral(datetime(2026, 3, 31, 9, tzinfo=LONDON))
    summary.refresh(weeks=[W23, W6], now=NOW)  # W30 missing

    source = summary.Source(period=PERIOD, scope=p.Scope(), now=NOW)

    assert list(source.summarised) == [W23]
    assert source.live.first == W30
    assert {w.monday: w.values["total"] for w in source.referrals_by_agency_type()}[W30] == 1


def test_the_clock_change_week_holds_its_sunday_night_in_bst_and_not_the_monday_after():
    # The clocks go forward at 01:00 GMT on Sunday 29 March 2026.
    referral(datetime(2026, 3, 23, 0, 0, tzinfo=LONDON))  # Monday 00:00 GMT: first moment
    referral(datetime(2026, 3, 29, 23, 59, tzinfo=LONDON))  # Sunday 23:59 BST (22:59 UTC)
    referral(datetime(2026, 3, 30, 0, 0, tzinfo=LONDON))  # Monday 00:00 BST (Sunday 23:00 UTC)

    summary.refresh(weeks=[W23, W30], now=NOW)

    assert referrals_in_summary(W23) == 2
    assert referrals_in_summary(W30) == 1


def test_time_to_decision_from_the_summary_is_within_a_minute_of_the_exact_value():
    for minutes in (61.5, 125.25, 300.75):
        ref = referral(datetime(2026, 4, 7, 10, tzinfo=LONDON))
        f.DecisionFactory(referral=ref, decided_at=ref.received_at + timedelta(minutes=minutes))
    summary.refresh(weeks=[W23, W30, W6], now=NOW)

    live = p.time_to_decision(period=PERIOD, scope=p.Scope(), now=NOW)
    kept = summary.Source(period=PERIOD, scope=p.Scope(), now=NOW).time_to_decision()
    exact, rounded = (next(w.values for w in r if w.monday == W6) for r in (live, kept))

    assert exact["median"] == pytest.approx(125.25 / 60)
    assert rounded["median"] == pytest.approx(125 / 60)
    assert 0 <= exact["p95"] - rounded["p95"] < 1 / 60


def test_beat_refreshes_this_week_every_few_minutes_recent_weeks_hourly_all_nightly():
    schedule = celery_app.conf.beat_schedule

    assert schedule["performance-current-weeks"]["task"] == "reporting.refresh_current_weeks"
    assert schedule["performance-current-weeks"]["schedule"] == 300.0
    assert schedule["performance-recent-weeks"]["task"] == "reporting.refresh_recent_weeks"
    assert schedule["performance-recent-weeks"]["schedule"].hour == set(range(24))
    assert "reporting.refresh_current_weeks" in celery_app.tasks
    assert schedule["performance-all-weeks"]["task"] == "reporting.refresh_all_weeks"
    assert "reporting.refresh_recent_weeks" in celery_app.tasks
    assert "reporting.refresh_all_weeks" in celery_app.tasks


def test_the_recent_weeks_task_refreshes_the_last_13_complete_weeks_and_this_one():
    referral(datetime(2026, 4, 7, 10, tzinfo=LONDON))

    assert tasks.refresh_recent_weeks() == 14

    weeks = list(SummaryWeek.objects.order_by("week").values_list("week", flat=True))
    assert weeks[0] == W6 - timedelta(weeks=12) and weeks[-2:] == [W6, W13]
    assert referrals_in_summary(W6) == 1


def test_the_frequent_task_refreshes_this_week_and_last():
    referral(datetime(2026, 4, 7, 10, tzinfo=LONDON))
    referral(datetime(2026, 4, 14, 10, tzinfo=LONDON))

    assert tasks.refresh_current_weeks() == 2

    assert list(SummaryWeek.objects.order_by("week").values_list("week", flat=True)) == [W6, W13]
    assert referrals_in_summary(W6) == referrals_in_summary(W13) == 1


def test_the_nightly_task_refreshes_every_week_since_the_first_referral():
    referral(datetime(2025, 1, 8, 10, tzinfo=LONDON))

    count = tasks.refresh_all_weeks()

    assert count == SummaryWeek.objects.count() == (W13 - date(2025, 1, 6)).days // 7
    assert referrals_in_summary(date(2025, 1, 6)) == 1


def test_the_command_refreshes_on_demand():
    referral(datetime(2026, 4, 7, 10, tzinfo=LONDON))

    call_command("refresh_performance_summary")

    assert referrals_in_summary(W6) == 1


def _page_text() -> str:
    client = Client()
    client.force_login(f.UserFactory(role=Role.MANAGER))
    response = client.get("/dashboard/performance/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_says_how_fresh_the_summarised_weeks_are_and_which_are_live():
    summary.refresh(weeks=summary.recent_weeks(now=NOW)[:-1], now=NOW - timedelta(minutes=4))

    text = _page_text()

    assert "Weeks to w/c 6 April 2026: figures as of 17 April 2026, 11:56" in text
    assert (
        "From w/c 13 April 2026: counted live from the records as of 17 April 2026, 12:00" in text
    )


def test_without_a_summary_the_page_says_every_figure_is_counted_live():
    assert "Figures as of 17 April 2026, 12:00, counted live from the records." in _page_text()


def test_with_every_week_summarised_the_page_gives_one_as_of_and_nothing_live():
    summary.refresh(weeks=summary.recent_weeks(now=NOW), now=NOW - timedelta(minutes=4))

    text = _page_text()

    assert "Weeks to w/c 13 April 2026: figures as of 17 April 2026, 11:56" in text
    assert "counted live" not in text


def test_each_agency_row_keeps_the_figures_shown_by_agency_flattened():
    school = f.AgencyFactory(type="school")
    ref = referral(
        datetime(2026, 4, 7, 10, tzinfo=LONDON),
        referrer=f.UserFactory(role=Role.REFERRER, agency=school),
    )
    f.QualityRatingFactory(referral=ref)

    summary.refresh(weeks=[W6], now=NOW)

    (row,) = WeeklyFigures.objects.filter(week=W6)
    assert row.by_agency == summary.flat_by_agency(row.counts)
    assert row.by_agency["referrals:n"] == 1
    assert row.by_agency["quality:rated"] == 1
    assert not any(key.startswith(("in_time", "outcomes")) for key in row.by_agency)


def test_a_figure_not_kept_by_agency_is_refused_rather_than_shown_empty():
    source = summary.Source(period=PERIOD, scope=p.Scope(), now=NOW)

    with pytest.raises(ValueError, match="BY_AGENCY"):
        source._by_agency("outcomes")
