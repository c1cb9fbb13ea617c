"""The performance figures' summary tables: kept, and read.

``refresh(weeks=..., now=...)`` counts London weeks with the very functions that define
the figures (the ``count_*`` of ``reporting.performance`` and its siblings ``performance_quality``,
``performance_discussions`` and ``performance_coaching``, grouped by week and by the
referral's agency) and replaces those weeks' rows of ``WeeklyFigures`` (per agency) and
``WeeklyTotals`` (added up over every agency, and over each agency type): idempotent,
one transaction a batch of weeks. The beat task refreshes the recent weeks and the
current one every few minutes and every complete week once a night
(``reporting.tasks``); ``manage.py refresh_performance_summary`` does it on demand.

``Source`` is what ``performance_tables.figures()`` reads: the weeks the summary holds
come from it, one row a week for the scope (tables by agency are added up in the
database); any week not summarised, with every week after it, and a current week whose
summary is stale are counted live from the records. Counts are exact sums. Time to
decision is kept as a histogram of whole minutes, so the median and the 95th percentile
of a summarised week are those of the times rounded down to the minute: at most one
minute (0.02 hours) under the exact value, which the page shows to 0.1 hours. A
summarised week's counts are as of its ``refreshed_at``: the figures that depend on
"now" (undecided referrals once due, minutes not circulated once due) take that moment
as now, and the page says when that was.
"""

from __future__ import annotations

import bisect
import itertools
import math
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import IntegerField, Min, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from agencies.models import Agency
from core.clock import LONDON
from reporting import performance as p
from reporting import performance_coaching as pc
from reporting import performance_discussions as pd
from reporting import performance_quality as pq
from reporting.models import SummaryWeek, WeeklyFigures, WeeklyTotals

# What each figure keeps in a row's ``counts``, and the function that counts it.
COUNTERS = {
    "in_time": p.count_in_time,
    "referrals": p.count_referrals,
    "concerns": p.count_concerns,
    "outcomes": p.count_outcomes,
    "re_referrals": p.count_re_referrals,
    "conversions": p.count_conversions,
    "feedback": p.count_feedback,
    "quality": pq.count_quality,
    "membership": pd.count_membership,
    "minutes": pd.count_minutes,
    "challenges": pd.count_challenges,
    "coaching": pc.count_coaching,
}
# The figures the pages show by agency: added up per agency in one query.
BY_AGENCY = ("referrals", "quality", "coaching")
MINUTES = "minutes_to_decision"  # the histogram: {whole minutes: referrals}
BATCH_WEEKS = 13
RECENT_WEEKS = 13
# The current week's summary is recounted every few minutes (reporting.tasks); older
# than this, the beat has stopped, and the page counts the week live.
CURRENT_WEEK_STALE = timedelta(minutes=15)


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
    """The last ``count`` complete London weeks and the current one (counted so far)."""
    this_week = p.monday_of(london_today(now))
    return [*complete_weeks(first=this_week - p.ONE_WEEK * count, now=now), this_week]


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
    rows = {key: counts for key, counts in rows.items() if key[0] in wanted}
    with transaction.atomic():
        WeeklyFigures.objects.filter(week__in=weeks).delete()
        WeeklyTotals.objects.filter(week__in=weeks).delete()
        WeeklyFigures.objects.bulk_create(
            [
                WeeklyFigures(
                    week=monday, agency_id=agency, counts=counts, by_agency=flat_by_agency(counts)
                )
                for (monday, agency), counts in rows.items()
            ],
            batch_size=1000,
        )
        WeeklyTotals.objects.bulk_create(
            [
                WeeklyTotals(week=monday, scope=key, counts=counts)
                for (monday, key), counts in _totals(rows).items()
            ],
            batch_size=1000,
        )
        for monday in weeks:
            SummaryWeek.objects.update_or_create(week=monday, defaults={"refreshed_at": now})


def flat_by_agency(counts: dict) -> dict[str, int]:
    """The counts of the figures shown by agency, as ``WeeklyFigures.by_agency`` keeps
    them: {"quality:rated": 3, ...}."""
    return {
        f"{name}:{key}": value for name in BY_AGENCY for key, value in counts.get(name, {}).items()
    }


def _totals(rows: dict[tuple[date, int | None], dict]) -> dict[tuple[date, str], dict]:
    """The agencies' rows added up by week: over all of them (with the calls recorded
    with no agency) and over each agency type's."""
    types = dict(Agency.objects.values_list("pk", "type"))
    totals: dict[tuple[date, str], dict] = {}
    for (monday, agency), counts in rows.items():
        _add(totals.setdefault((monday, WeeklyTotals.ALL), {}), counts)
        if agency is not None:
            key = WeeklyTotals.type_scope(types[agency])
            _add(totals.setdefault((monday, key), {}), counts)
    return totals


# --- Reading ------------------------------------------------------------------------------


class Source:
    """The figures of one period and scope, from the summary where it holds the weeks
    and live from the records for the rest.

    The page reads one row a week: ``WeeklyTotals`` for every agency or one agency type,
    ``WeeklyFigures`` for one agency. The tables by agency add the agencies' rows up in
    the database (``SUM ... GROUP BY``). The current week is summarised too, every few
    minutes; a current week counted more than ``CURRENT_WEEK_STALE`` ago (the beat not
    running) is counted live instead."""

    def __init__(self, *, period: p.Period, scope: p.Scope, now: datetime):
        self.period, self.scope, self.now = period, scope, now
        this_week = p.monday_of(london_today(now))
        held = dict(
            SummaryWeek.objects.filter(week__in=period.weeks, week__lte=this_week).values_list(
                "week", "refreshed_at"
            )
        )
        if this_week in held and held[this_week] < now - CURRENT_WEEK_STALE:
            del held[this_week]
        # Summarised weeks up to the first one that is not; that one and every week
        # after it are counted live, so the live part is one contiguous period.
        self.summarised: dict[date, datetime] = {}
        for monday in period.weeks:
            if monday not in held:
                break
            self.summarised[monday] = held[monday]
        live = [w for w in period.weeks if w not in self.summarised]
        self.live = p.Period(first=live[0], last=period.last) if live else None
        self._weeks: dict[date, dict] | None = None
        self._agency_sums: dict[str, dict[int, dict]] = {}

    @property
    def as_of(self) -> datetime | None:
        """When the oldest summarised week of the period was counted (None: all live)."""
        return min(self.summarised.values()) if self.summarised else None

    def _rows(self):
        """The summary's rows for the scope: one a week."""
        weeks = list(self.summarised)
        if self.scope.agency_id is not None:
            return WeeklyFigures.objects.filter(self.scope.referral_q(), week__in=weeks)
        key = (
            WeeklyTotals.type_scope(self.scope.agency_type)
            if self.scope.agency_type
            else WeeklyTotals.ALL
        )
        return WeeklyTotals.objects.filter(scope=key, week__in=weeks)

    def week_counts(self) -> dict[date, dict]:
        """Each summarised week's counts for the scope."""
        if self._weeks is None:
            self._weeks = (
                dict(self._rows().values_list("week", "counts")) if self.summarised else {}
            )
        return self._weeks

    def _live(self, counter, **kwargs) -> dict:
        if self.live is None:
            return {}
        return counter(period=self.live, scope=self.scope, now=self.now, **kwargs)

    def _weekly(self, name: str, values) -> list[p.Week]:
        held = self.week_counts()
        live = self._live(COUNTERS[name])
        return [
            p.Week(monday, values(held.get(monday, {}).get(name, {}) if monday in self.summarised
                                  else live.get(monday, {})))
            for monday in self.period.weeks
        ]  # fmt: skip

    def _keys(self, name: str) -> set[str]:
        """The counts a figure keeps (a row leaves out its zeros: every key that any
        week of the scope has)."""
        return {key for counts in self.week_counts().values() for key in counts.get(name, {})}

    def _summed_by_agency(self, names: tuple[str, ...]) -> dict[str, dict[int, dict]]:
        """Figures' counts added up per agency over the summarised weeks, in the
        database: one ``SUM ... GROUP BY agency`` for all of ``names``."""
        columns = [(name, key) for name in names for key in sorted(self._keys(name))]
        found: dict[str, dict[int, dict]] = {name: {} for name in names}
        if not columns:
            return found
        rows = (
            WeeklyFigures.objects.filter(
                self.scope.referral_q(), week__in=list(self.summarised), agency__isnull=False
            )
            .order_by()
            .values("agency_id")
            .annotate(
                **{
                    f"n{i}": Sum(Cast(KT(f"by_agency__{name}:{key}"), IntegerField()))
                    for i, (name, key) in enumerate(columns)
                }
            )
        )
        for row in rows:
            for i, (name, key) in enumerate(columns):
                if row[f"n{i}"]:
                    found[name].setdefault(row["agency_id"], {})[key] = row[f"n{i}"]
        return found

    def _by_agency(self, name: str) -> dict[int, dict]:
        """A figure's counts added up per agency over the period: the summarised weeks
        in the database (every figure of BY_AGENCY at once, at the first one asked
        for), the rest live."""
        if name not in self._agency_sums:
            if name not in BY_AGENCY:
                raise ValueError(f"{name}: add it to BY_AGENCY, which the refresh keeps")
            self._agency_sums.update(self._summed_by_agency(BY_AGENCY))
        sums = {agency: dict(counts) for agency, counts in self._agency_sums[name].items()}
        for (_monday, agency), row in self._live(COUNTERS[name], by="agency_id").items():
            if agency is not None:
                _add(sums.setdefault(agency, {}), _numbers(row))
        return sums

    # The figures, as reporting.performance and its siblings define them.

    def decided_in_time(self) -> list[p.Week]:
        return self._weekly("in_time", p.in_time_values)

    def time_to_decision(self) -> list[p.Week]:
        held = self.week_counts()
        live = self._live(p.decision_hours)
        weeks = []
        for monday in self.period.weeks:
            if monday in self.summarised:
                values = histogram_values(held.get(monday, {}).get(MINUTES, {}))
            else:
                values = p.time_to_decision_values(live.get(monday, []))
            weeks.append(p.Week(monday, values))
        return weeks

    def referrals_by_agency_type(self) -> list[p.Week]:
        found: dict[date, dict] = {}
        if self.summarised and not self.scope.agency_type and self.scope.agency_id is None:
            by_scope: dict[date, dict[str, int]] = {}
            rows = WeeklyTotals.objects.filter(week__in=list(self.summarised)).values_list(
                "week", "scope", Cast(KT("counts__referrals__n"), IntegerField())
            )
            for monday, key, n in rows:
                by_scope.setdefault(monday, {})[key] = n or 0
            for monday, scopes in by_scope.items():
                total = scopes.pop(WeeklyTotals.ALL, 0)
                week = {key.removeprefix("type:"): n for key, n in scopes.items() if n}
                if total - sum(week.values()):  # calls recorded with no agency
                    week["none"] = total - sum(week.values())
                found[monday] = {"total": total, **week} if total else {"total": 0}
        elif self.summarised:
            kind = (
                self.scope.agency_type
                or Agency.objects.filter(pk=self.scope.agency_id)
                .values_list("type", flat=True)
                .first()
            )
            for monday, counts in self.week_counts().items():
                n = counts.get("referrals", {}).get("n", 0)
                if n:
                    found[monday] = {"total": n, kind: n}
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
        agencies = _agencies(sums)
        rows = [
            {"agency": agencies[pk][0], "type": agencies[pk][1], "referrals": counts["n"]}
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
        return self._weekly("quality", pq.quality_values)

    def quality_by_agency(self) -> list[dict]:
        sums = {pk: c for pk, c in self._by_agency("quality").items() if c.get("rated")}
        agencies = _agencies(sums)
        rows = [{"agency": agencies[pk][0], **pq.quality_values(c)} for pk, c in sums.items()]
        return sorted(rows, key=lambda r: r["agency"])

    def coaching_by_agency(self) -> list[dict]:
        sums = {pk: c for pk, c in self._by_agency("coaching").items() if c.get("referrals")}
        agencies = _agencies(sums)
        rows = [{"agency": agencies[pk][0], **pc.coaching_values(c)} for pk, c in sums.items()]
        return sorted(rows, key=lambda r: r["agency"])

    def discussion_membership(self) -> list[p.Week]:
        return self._weekly("membership", pd.membership_values)

    def minutes_on_time(self) -> list[p.Week]:
        return self._weekly("minutes", pd.minutes_values)

    def challenges(self) -> list[p.Week]:
        return self._weekly("challenges", pd.challenge_values)


def _agencies(pks) -> dict[int, tuple[str, str]]:
    """The agencies' names and types, by id."""
    rows = Agency.objects.filter(pk__in=list(pks)).values_list("pk", "name", "type")
    return {pk: (name, kind) for pk, name, kind in rows}


def histogram_values(histogram: dict[str, int]) -> dict:
    """``performance.time_to_decision_values`` of the hours a histogram of whole minutes
    holds, read off the histogram (no list of every referral's time)."""
    counts = sorted((int(minute), n) for minute, n in histogram.items() if n)
    minutes = [minute for minute, _n in counts]
    below = list(itertools.accumulate(n for _minute, n in counts))  # ranks below the next
    total = below[-1] if below else 0

    def at(rank: int) -> float:  # the rank-th smallest value (from 0), in hours
        return minutes[bisect.bisect_right(below, rank)] / 60

    def percentile(q: float) -> float | None:
        if not total:
            return None
        position = (total - 1) * q
        low, high = math.floor(position), math.ceil(position)
        return at(low) + (at(high) - at(low)) * (position - low)

    return {"decided": total, "median": percentile(0.5), "p95": percentile(0.95)}
