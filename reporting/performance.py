"""The performance figures over a chosen period: each figure defined once, here or, for
referral quality, strategy discussions and challenges and coaching, in a module of its own
beside this one (``performance_quality``, ``performance_discussions``,
``performance_coaching``), on the helpers defined here.

Pure reads: every function takes a ``Period`` (whole London weeks, Monday 00:00
Europe/London to the Monday after the last week), a ``Scope`` (agency type and agency
filters; an agency lead's scope is fixed to their agency by the view) and ``now``, and
returns plain data. Counting is done by the database, grouped by London week
(``TruncWeek`` in Europe/London, so a week that spans a BST/GMT change is still Monday
00:00 to Monday 00:00 local time). The only rows brought into Python are the decided
referrals' two times, for the percentiles of time to decision, and the few feedback
notices sent between 24 hours and 8 days after a decision, for the working-day test.

Referral figures count a referral in the London week it was **received** (one cohort per
week, so that a referral left undecided still counts against its week); strategy
discussions in the week they were held; challenges in the week raised (and resolved).

``reporting.performance_tables.figures()`` turns these into the tables that the pages
and the CSV read: a summary table kept by a periodic task would change only what it
calls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncWeek

from core.clock import LONDON, working_days_after
from notices.models import NoticeKind, Notification
from referrals.models import Outcome, Referral, ReferralConcern
from triage.models import (
    DecisionAmendment,
    QualityRating,
    Section47Outcome,
    StrategyDiscussion,
)
from triage.repeat_flags import REPEAT_WINDOW

ONE_WEEK = timedelta(days=7)
DEFAULT_WEEKS = 12
MAX_DAYS = 731  # two years
# A feedback notice sent within 24 hours of the decision is always within one working
# day; one sent more than 8 days after never is (one working day is at most 6 calendar
# days after a decision, even over Christmas). Only those between are checked one by one.
SURELY_IN_TIME = timedelta(hours=24)
SURELY_LATE = timedelta(days=8)


# --- Period and scope -------------------------------------------------------------------


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def london_midnight(day: date) -> datetime:
    """00:00 Europe/London on ``day``, in UTC (23:00 UTC the day before in BST)."""
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """Whole London weeks: from the Monday of ``first`` to the Sunday of ``last``."""

    first: date  # a Monday
    last: date  # a Sunday

    @classmethod
    def covering(cls, start: date, end: date) -> Period:
        return cls(first=monday_of(start), last=monday_of(end) + timedelta(days=6))

    @property
    def weeks(self) -> list[date]:
        count = (self.last - self.first).days // 7 + 1
        return [self.first + ONE_WEEK * i for i in range(count)]

    @property
    def start(self) -> datetime:
        return london_midnight(self.first)

    @property
    def end(self) -> datetime:
        """The first moment after the period: 00:00 London on the Monday after it."""
        return london_midnight(self.last + timedelta(days=1))


def default_period(today: date, weeks: int = DEFAULT_WEEKS) -> Period:
    """The last ``weeks`` London weeks, the current (incomplete) week included."""
    this_week = monday_of(today)
    return Period(first=this_week - ONE_WEEK * (weeks - 1), last=this_week + timedelta(days=6))


@dataclass(frozen=True)
class Scope:
    """Which referrals count: all, one agency type's, or one agency's (by the
    referral's agency; a referral recorded from a caller has none and counts only when
    no filter is set)."""

    agency_type: str = ""
    agency_id: int | None = None

    def referral_q(self, prefix: str = "") -> Q:
        q = Q()
        if self.agency_type:
            q &= Q(**{f"{prefix}agency__type": self.agency_type})
        if self.agency_id is not None:
            q &= Q(**{f"{prefix}agency_id": self.agency_id})
        return q


# --- Plain results ----------------------------------------------------------------------


@dataclass
class Week:
    """One week's values of a figure; ``values`` by column key."""

    monday: date
    values: dict[str, float | int | None] = field(default_factory=dict)


def share(part: int, whole: int) -> float | None:
    """``part / whole`` as a percentage, or None when there is nothing to divide (an
    empty week shows "no referrals", never 0%)."""
    return None if not whole else 100 * part / whole


def percentile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile (0 to 1) by linear interpolation between the closest ranks, as
    PostgreSQL's ``percentile_cont``; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _week_key(value: datetime) -> date:
    return value.astimezone(LONDON).date()


def _by_week(queryset, when: str, by: str | None = None, **aggregates) -> dict:
    """One row of aggregates per London week of the datetime field ``when``, keyed by the
    week's Monday; with ``by`` (a field path, such as the referral's agency), one row per
    week and value of it, keyed by (Monday, value): what the summary table keeps."""
    fields = ("week", by) if by else ("week",)
    rows = (
        queryset.order_by()  # a model's default ordering would split the groups
        .annotate(week=TruncWeek(when, tzinfo=LONDON))
        .values(*fields)
        .annotate(**aggregates)
    )
    return {_key(row["week"], row, by): row for row in rows}


def _key(week: datetime, row: dict, by: str | None):
    return (_week_key(week), row[by]) if by else _week_key(week)


def _referrals(period: Period, scope: Scope):
    return Referral.objects.filter(
        scope.referral_q(), received_at__gte=period.start, received_at__lt=period.end
    )


def _current_outcome():
    """A decision's outcome as it stands: its latest amendment's, or its own."""
    latest = DecisionAmendment.objects.filter(decision=OuterRef("decision")).order_by(
        "-amended_at", "-pk"
    )
    return Coalesce(Subquery(latest.values("outcome")[:1]), F("decision__outcome"))


def _weeks(period: Period, found: dict[date, dict], make) -> list[Week]:
    return [Week(monday, make(found.get(monday, {}))) for monday in period.weeks]


# --- The figures ------------------------------------------------------------------------


def count_in_time(*, period: Period, scope: Scope, now: datetime, by=None) -> dict:
    return _by_week(
        _referrals(period, scope).filter(Q(decision__isnull=False) | Q(decision_due_at__lte=now)),
        "received_at",
        by,
        counted=Count("pk"),
        in_time=Count("pk", filter=Q(decision__decided_at__lt=F("decision_due_at"))),
    )


def in_time_values(row: dict) -> dict:
    return {
        "counted": row.get("counted", 0),
        "in_time": row.get("in_time", 0),
        "share": share(row.get("in_time", 0), row.get("counted", 0)),
    }


def decided_in_time(*, period: Period, scope: Scope, now: datetime) -> list[Week]:
    """Share decided within 24 hours. Of the referrals received in the week whose
    decision is made or due (undecided ones count once their due time has passed), the
    share decided before their due time. The decision clock is overdue from the due
    time itself, as the decision screen shows it, so a decision at exactly 24 hours is
    late. The due time is the referral's own, whichever clock policy set it."""
    return _weeks(period, count_in_time(period=period, scope=scope, now=now), in_time_values)


def decision_hours(*, period: Period, scope: Scope, now: datetime, by=None) -> dict:
    """The hours from receipt to decision of each decided referral, by week (and ``by``)."""
    fields = ["received_at", "decision__decided_at"] + ([by] if by else [])
    rows = _referrals(period, scope).filter(decision__isnull=False).order_by().values_list(*fields)
    hours: dict = {}
    for received_at, decided_at, *group in rows:
        week = monday_of(received_at.astimezone(LONDON).date())
        key = (week, group[0]) if by else week
        hours.setdefault(key, []).append((decided_at - received_at).total_seconds() / 3600)
    return hours


def time_to_decision_values(hours: list[float]) -> dict:
    return {
        "decided": len(hours),
        "median": percentile(hours, 0.5),
        "p95": percentile(hours, 0.95),
    }


def time_to_decision(*, period: Period, scope: Scope, now: datetime) -> list[Week]:
    """Time to decision, in hours. Of the referrals received in the week and decided,
    the median and the 95th percentile (linear interpolation) of the hours from receipt
    to decision. Referrals not yet decided are not in it: the share decided in time
    counts them."""
    hours = decision_hours(period=period, scope=scope, now=now)
    return [Week(monday, time_to_decision_values(hours.get(monday, []))) for monday in period.weeks]


def count_referrals(*, period: Period, scope: Scope, now: datetime, by=None) -> dict:
    """Referrals received, by week (and ``by``)."""
    return _by_week(_referrals(period, scope), "received_at", by, n=Count("pk"))


def referrals_by_agency_type(*, period: Period, scope: Scope, now: datetime) -> list[Week]:
    """Referrals received in the week, by the type of the referring agency (the census
    source of referral). Calls the front door recorded from a member of the public or
    another caller with no agency are under "No agency"."""
    rows = (
        _referrals(period, scope)
        .order_by()
        .annotate(week=TruncWeek("received_at", tzinfo=LONDON))
        .values("week", "agency__type")
        .annotate(n=Count("pk"))
    )
    found: dict[date, dict] = {}
    for row in rows:
        week = found.setdefault(_week_key(row["week"]), {"total": 0})
        week[row["agency__type"] or "none"] = row["n"]
        week["total"] += row["n"]
    return [Week(monday, found.get(monday, {"total": 0})) for monday in period.weeks]


def referrals_by_agency(*, period: Period, scope: Scope, now: datetime) -> list[dict]:
    """Referrals received in the period, by referring agency, most first (agencies with
    none are not listed)."""
    rows = (
        _referrals(period, scope)
        .filter(agency__isnull=False)
        .order_by()
        .values("agency_id", "agency__name", "agency__type")
        .annotate(n=Count("pk"))
        .order_by("-n", "agency__name")
    )
    return [
        {"agency": r["agency__name"], "type": r["agency__type"], "referrals": r["n"]} for r in rows
    ]


def count_concerns(*, period: Period, scope: Scope, now: datetime, by=None) -> dict:
    """Referrals naming each concern category, by week (and ``by``, a path from the
    referral such as ``agency_id``): {key: {category: n}}."""
    fields = ["week", "category"] + ([f"referral__{by}"] if by else [])
    rows = (
        ReferralConcern.objects.filter(
            scope.referral_q("referral__"),
            referral__received_at__gte=period.start,
            referral__received_at__lt=period.end,
        )
        .order_by()
        .annotate(week=TruncWeek("referral__received_at", tzinfo=LONDON))
        .values(*fields)
        .annotate(n=Count("referral_id"))
    )
    found: dict = {}
    for row in rows:
        key = _key(row["week"], row, f"referral__{by}" if by else None)
        found.setdefault(key, {})[row["category"]] = row["n"]
    return found


def referrals_by_concern(*, period: Period, scope: Scope, now: datetime) -> list[Week]:
    """Referrals received in the week that name each concern category (a referral
    naming two categories counts under both)."""
    found = count_concerns(period=period, scope=scope, now=now)
    return [Week(monday, found.get(monday, {})) for monday in period.weeks]


def count_outcomes(*, period: Period, scope: Scope, now: datetime, by=None) -> dict:
    """Decided referrals by outcome as it stands, by week (and ``by``): {key: {outcome:
    n, "decided": all}}."""
    fields = ["week", "outcome"] + ([by] if by else [])
    rows = (
        _referrals(period, scope)
        .filter(decision__isnull=False)
        .order_by()
        .annotate(week=TruncWeek("received_at", tzinfo=LONDON), outcome=_current_outcome())
        .values(*fields)
        .annotate(n=Count("pk"))
    )
    found: dict = {}
    for row in rows:
        week = found.setdefault(_key(row["week"], row, by), {"decided": 0})
        week[row["outcome"]] = row["n"]
        week["decided"] += row["n"]
    return found


def outcomes(*, period: Period, scope: Scope, now: datetime) -> list[Week]:
    """Decided referrals received in the week, by outcome as it stands (an amended
    decision counts under its latest amendment's outcome)."""
    found = count_outcomes(period=period, scope=scope, now=now)
    return [Week(monday, found.get(monday, {"decided": 0})) for monday in period.weeks]


def re_referrals(*, period: Period, scope: Scope, now: datetime) -> list[Week]:
    """Re-referral rate within 12 months (the national measure). Of the referrals
    received in the week that are linked to a child record, the share about a child
    with an earlier referral received in the 12 months (365 days, as the repeat flag
    counts them) before this one. Referrals not yet matched to a child record are not
    in the denominator."""
    return _weeks(period, count_re_referrals(period=period, scope=scope, now=now), re_values)


def count_re_referrals(*, period: Period, scope: Scope, now: datetime, by=None) -> dict:
    earlier = Referral.objects.filter(
        child_id=OuterRef("child_id"),
        received_at__lt=OuterRef("received_at"),
        received_at__gte=OuterRef("received_at") - REPEAT_WINDOW,
    )
    return _by_week(
        _referrals(period, scope).filter(child__isnull=False).annotate(repeat=Exists(earlier)),
        "received_at",
        by,
        linked=Count("pk"),
        repeats=Count("pk", filter=Q(repeat=True)),
    )


def re_values(row: dict) -> dict:
    return {
        "linked": row.get("linked", 0),
        "repeats": row.get("repeats", 0),
        "share": share(row.get("repeats", 0), row.get("linked", 0)),
    }


def conversions(*, period: Period, scope: Scope, now: datetime) -> list[Week]:
    """Conversion to assessment and to section 47. Of the decided referrals received in
    the week: the share whose outcome (as it stands) is a child and family assessment
    (s17); and the share whose outcome is a strategy discussion (s47) or that has a
    strategy discussion deciding that section 47 enquiries proceed (single or joint
    agency)."""
    return _weeks(period, count_conversions(period=period, scope=scope, now=now), conv_values)


def count_conversions(*, period: Period, scope: Scope, now: datetime, by=None) -> dict:
    proceeds = StrategyDiscussion.objects.filter(
        referral_id=OuterRef("pk"),
        section47_outcome__in=[Section47Outcome.SINGLE_AGENCY, Section47Outcome.JOINT_POLICE],
    )
    return _by_week(
        _referrals(period, scope)
        .filter(decision__isnull=False)
        .annotate(outcome=_current_outcome(), s47_enquiry=Exists(proceeds)),
        "received_at",
        by,
        decided=Count("pk"),
        s17=Count("pk", filter=Q(outcome=Outcome.ASSESSMENT_S17)),
        s47=Count("pk", filter=Q(outcome=Outcome.STRATEGY_S47) | Q(s47_enquiry=True)),
    )


def conv_values(row: dict) -> dict:
    return {
        "decided": row.get("decided", 0),
        "s17": row.get("s17", 0),
        "s17_share": share(row.get("s17", 0), row.get("decided", 0)),
        "s47": row.get("s47", 0),
        "s47_share": share(row.get("s47", 0), row.get("decided", 0)),
    }


def feedback_in_time(*, period: Period, scope: Scope, now: datetime) -> list[Week]:
    """Referrers given feedback within one working day. Of the decided referrals
    received in the week that came from a referrer with a Front Door account (calls
    recorded from members of the public have no one to notify and are left out), the
    share whose referrer was sent the feedback notice (its first delivery, in the inbox
    or by email) by the same time on the next working day after the decision (England
    and Wales bank holidays and weekends skipped)."""
    return _weeks(period, count_feedback(period=period, scope=scope, now=now), feedback_values)


def count_feedback(*, period: Period, scope: Scope, now: datetime, by=None) -> dict:
    first_sent = (
        Notification.objects.filter(
            event__kind=NoticeKind.FEEDBACK,
            event__referral_id=OuterRef("pk"),
            recipient_id=OuterRef("referrer_id"),
            sent_at__isnull=False,
        )
        .order_by()
        .values("event__referral_id")
        .annotate(first=Min("sent_at"))
        .values("first")
    )
    decided = (
        _referrals(period, scope)
        .filter(decision__isnull=False, referrer__isnull=False)
        .annotate(
            first_sent=Subquery(first_sent, output_field=DateTimeField()),
            soon=ExpressionWrapper(
                F("decision__decided_at") + SURELY_IN_TIME, output_field=DateTimeField()
            ),
            late=ExpressionWrapper(
                F("decision__decided_at") + SURELY_LATE, output_field=DateTimeField()
            ),
        )
    )
    counts = _by_week(
        decided,
        "received_at",
        by,
        decided=Count("pk"),
        in_time=Count("pk", filter=Q(first_sent__lte=F("soon"))),
    )
    # Sent after 24 hours but within 8 days: whether that was one working day depends on
    # the weekend and bank holidays in between.
    fields = ["received_at", "decision__decided_at", "first_sent"] + ([by] if by else [])
    between = decided.filter(first_sent__gt=F("soon"), first_sent__lte=F("late")).values_list(
        *fields
    )
    for received_at, decided_at, sent_at, *group in between.order_by():
        if sent_at <= working_days_after(decided_at, 1):
            week = monday_of(received_at.astimezone(LONDON).date())
            row = counts.setdefault((week, group[0]) if by else week, {"decided": 0, "in_time": 0})
            row["in_time"] = row.get("in_time", 0) + 1
    return counts


def feedback_values(row: dict) -> dict:
    return {
        "decided": row.get("decided", 0),
        "in_time": row.get("in_time", 0),
        "share": share(row.get("in_time", 0), row.get("decided", 0)),
    }


RUBRIC = QualityRating.RUBRIC
