"""The performance figures' summary table: kept, and read.

``refresh(weeks=..., now=...)`` counts whole London weeks with the very functions that
define the figures (``reporting.performance``'s ``count_*``, grouped by week and by the
referral's agency) and replaces those weeks' rows of ``WeeklyFigures``: idempotent,
one transaction a batch of weeks. The beat task refreshes the recent weeks every few
minutes and every week once a night (``reporting.tasks``); ``manage.py
refresh_performance_summary`` does it on demand.

``Source`` is what ``performance_tables.figures()`` reads: complete weeks that the
summary holds come from it, summed over the agencies in scope; the current week (and any
week not yet summarised, with every week after it) is counted live from the records.
Counts are exact sums. Time to decision is kept as a histogram of whole minutes, so the
median and the 95th percentile of a summarised week are those of the times rounded down
to the minute: at most one minute (0.02 hours) under the exact value, which the page
shows to 0.1 hours. A summarised week's counts are as of its ``refreshed_at``: the
figures that depend on "now" (undecided referrals once due, minutes not circulated once
due) take that moment as now.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Min

from agencies.models import Agency
from core.clock import LONDON
from reporting import performance as p
from reporting import performance_coaching as pc
from reporting.models import SummaryWeek, WeeklyFigures

# What each figure keeps in a row's ``counts``, and the function that counts it.
COUNTERS = {
    "in_time": p.count_in_time,
    "referrals": p.count_referrals,
    "concerns": p.count_concerns,
    "outcomes": p.count_outcomes,
    "re_referrals": p.count_re_referrals,
    "conversions": p.count_conversions,
    "feedback": p.count_feedback,
    "quality": p.count_quality,
    "membership": p.count_membership,
    "minutes": p.count_minutes,
    "challenges": p.count_challenges,
    "coaching": pc.count_coaching,
}
MINUTES = "minutes_to_decision"  # the histogram: {whole minutes: referrals}
BATCH_WEEKS = 13
RECENT_WEEKS = 13


def _numbers(row: dict) -> dict:
    """A counted row without its grouping keys (the week, the agency)."""
    return {
        key: value
        for key, value in row.items()
        if key != "week" and not key.endswith("agency_id") and value
    }


def _add(into: dict, counts: dict) -> None:
    for key, value in counts.items():
        if isinstance(value, dict):
            _add(into.setdefault(key, {}), value)
        else:
            into[key] = into.get(key, 0) + value


def london_today(now: datetime) -> date:
    return now.astimezone(LONDON).date()


def complete_weeks(*, first: date, now: datetime) -> list[date]:
    """The Mondays of the complete London weeks from ``first``'s week to last week."""
    this_week = p.monday_of(london_today(now))
    monday = p.monday_of(first)
    weeks = []
    while monday < this_week:
        weeks.append(monday)
        monday += p.ONE_WEEK
    return weeks


def recent_weeks(*, now: datetime, count: int = RECENT_WEEKS) -> list[date]:
    this_week = p.monday_of(london_today(now))
    return complete_weeks(first=this_week - p.ONE_WEEK * count, now=now)


def all_weeks(*, now: datetime) -> list[date]:
    from referrals.models import Referral

    first = Referral.objects.aggregate(first=Min("received_at"))["first"]
    return [] if first is None else complete_weeks(first=london_today(first), now=now)


def refresh(*, weeks: list[date], now: datetime) -> int:
    """Count ``weeks`` (complete London weeks' Mondays) afresh, as of ``now``, and replace
    their rows. Returns how many weeks were refreshed."""
    weeks = sorted(set(weeks))
    for start in range(0, len(weeks), BATCH_WEEKS):
        batch = weeks[start : start + BATCH_WEEKS]
        _refresh_batch(batch, now)
    return len(weeks)


def _refresh_batch(weeks: list[date], now: datetime) -> None:
    period = p.Period(first=weeks[0], last=weeks[-1] + timedelta(days=6))
    scope = p.Scope()
    rows: dict[tuple[date, int | None], dict] = {}
    for name, counter in COUNTERS.items():
        for (monday, agency), row in counter(
            period=period, scope=scope, now=now, by="agency_id"
        ).items():
            counts = _numbers(row)
            if counts:
                rows.setdefault((monday, agency), {})[name] = counts
    hours = p.decision_hours(period=period, scope=scope, now=now, by="agency_id")
    for key, values in hours.items():
        histogram: dict[str, int] = {}
        for value in values:
            minute = str(math.floor(value * 60 + 1e-9))
            histogram[minute] = histogram.get(minute, 0) + 1
        rows.setdefault(key, {})[MINUTES] = histogram
    wanted = set(weeks)
    with transaction.atomic():
        WeeklyFigures.objects.filter(week__in=weeks).delete()
        WeeklyFigures.objects.bulk_create(
            [
                WeeklyFigures(week=monday, agency_id=agency, counts=counts)
                for (monday, agency), counts in rows.items()
                if monday in wanted
            ],
            batch_size=1000,
        )
        for monday in weeks:
            SummaryWeek.objects.update_or_create(week=monday, defaults={"refreshed_at": now})


# --- Reading ------------------------------------------------------------------------------


class Source:
    """The figures of one period and scope, from the summary where it holds complete
    weeks and live from the records for the rest."""

    def __init__(self, *, period: p.Period, scope: p.Scope, now: datetime):
        self.period, self.scope, self.now = period, scope, now
        this_week = p.monday_of(london_today(now))
        held = dict(
            SummaryWeek.objects.filter(week__in=period.weeks, week__lt=this_week).values_list(
                "week", "refreshed_at"
            )
        )
        # Summarised weeks up to the first one that is not; that one and every week
        # after it are counted live, so the live part is one contiguous period.
        self.summarised: dict[date, datetime] = {}
        for monday in period.weeks:
            if monday not in held:
                break
            self.summarised[monday] = held[monday]
        live = [w for w in period.weeks if w not in self.summarised]
        self.live = p.Period(first=live[0], last=period.last) if live else None
        self._rows = None

    @property
    def as_of(self) -> datetime | None:
        """When the oldest summarised week of the period was counted (None: all live)."""
        return min(self.summarised.values()) if self.summarised else None

    def rows(self) -> list[tuple[date, int | None, dict]]:
        if self._rows is None:
            self._rows = (
                list(
                    WeeklyFigures.objects.filter(
                        self.scope.referral_q(), week__in=list(self.summarised)
                    ).values_list("week", "agency_id", "counts")
                )
                if self.summarised
                else []
            )
        return self._rows

    def _live(self, counter, **kwargs) -> dict:
        if self.live is None:
            return {}
        return counter(period=self.live, scope=self.scope, now=self.now, **kwargs)

    def _summed(self, name: str) -> dict[date, dict]:
        sums: dict[date, dict] = {}
        for monday, _agency, counts in self.rows():
            _add(sums.setdefault(monday, {}), counts.get(name, {}))
        return sums

    def _weekly(self, name: str, values) -> list[p.Week]:
        summed = self._summed(name)
        live = self._live(COUNTERS[name])
        return [
            p.Week(monday, values(summed.get(monday, {}) if monday in self.summarised else
                                  live.get(monday, {})))
            for monday in self.period.weeks
        ]  # fmt: skip

    def _by_agency(self, name: str) -> dict[int, dict]:
        sums: dict[int, dict] = {}
        for _monday, agency, counts in self.rows():
            if agency is not None and name in counts:
                _add(sums.setdefault(agency, {}), counts[name])
        for (_monday, agency), row in self._live(COUNTERS[name], by="agency_id").items():
            if agency is not None:
                _add(sums.setdefault(agency, {}), _numbers(row))
        return sums

    # The figures, as reporting.performance defines them.

    def decided_in_time(self) -> list[p.Week]:
        return self._weekly("in_time", p.in_time_values)

    def time_to_decision(self) -> list[p.Week]:
        histograms = self._summed(MINUTES)
        live = self._live(p.decision_hours)
        weeks = []
        for monday in self.period.weeks:
            if monday in self.summarised:
                hours = [
                    int(minute) / 60
                    for minute, n in histograms.get(monday, {}).items()
                    for _ in range(n)
                ]
            else:
                hours = live.get(monday, [])
            weeks.append(p.Week(monday, p.time_to_decision_values(hours)))
        return weeks

    def referrals_by_agency_type(self) -> list[p.Week]:
        types = dict(Agency.objects.values_list("pk", "type"))
        found: dict[date, dict] = {}
        for monday, agency, counts in self.rows():
            n = counts.get("referrals", {}).get("n", 0)
            if n:
                week = found.setdefault(monday, {"total": 0})
                kind = types.get(agency, "none") if agency is not None else "none"
                week[kind] = week.get(kind, 0) + n
                week["total"] += n
        live = {}
        if self.live is not None:
            live = {
                w.monday: w.values
                for w in p.referrals_by_agency_type(
                    period=self.live, scope=self.scope, now=self.now
                )
            }
        return [
            p.Week(monday, (found if monday in self.summarised else live).get(monday, {"total": 0}))
            for monday in self.period.weeks
        ]

    def referrals_by_agency(self) -> list[dict]:
        sums = self._by_agency("referrals")
        agencies = Agency.objects.in_bulk(list(sums))
        rows = [
            {"agency": agencies[pk].name, "type": agencies[pk].type, "referrals": counts["n"]}
            for pk, counts in sums.items()
            if counts.get("n")
        ]
        return sorted(rows, key=lambda r: (-r["referrals"], r["agency"]))

    def referrals_by_concern(self) -> list[p.Week]:
        return self._weekly("concerns", dict)

    def outcomes(self) -> list[p.Week]:
        return self._weekly("outcomes", lambda row: {"decided": 0, **row})

    def re_referrals(self) -> list[p.Week]:
        return self._weekly("re_referrals", p.re_values)

    def conversions(self) -> list[p.Week]:
        return self._weekly("conversions", p.conv_values)

    def feedback_in_time(self) -> list[p.Week]:
        return self._weekly("feedback", p.feedback_values)

    def quality(self) -> list[p.Week]:
        return self._weekly("quality", p.quality_values)

    def quality_by_agency(self) -> list[dict]:
        sums = {pk: c for pk, c in self._by_agency("quality").items() if c.get("rated")}
        agencies = Agency.objects.in_bulk(list(sums))
        rows = [{"agency": agencies[pk].name, **p.quality_values(c)} for pk, c in sums.items()]
        return sorted(rows, key=lambda r: r["agency"])

    def coaching_by_agency(self) -> list[dict]:
        sums = {pk: c for pk, c in self._by_agency("coaching").items() if c.get("referrals")}
        agencies = Agency.objects.in_bulk(list(sums))
        rows = [{"agency": agencies[pk].name, **pc.coaching_values(c)} for pk, c in sums.items()]
        return sorted(rows, key=lambda r: r["agency"])

    def discussion_membership(self) -> list[p.Week]:
        return self._weekly("membership", p.membership_values)

    def minutes_on_time(self) -> list[p.Week]:
        return self._weekly("minutes", p.minutes_values)

    def challenges(self) -> list[p.Week]:
        return self._weekly("challenges", p.challenge_values)
