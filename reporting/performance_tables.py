"""The performance figures as tables: what the pages, their charts and the CSV show.

Each table is one figure of ``reporting.performance`` (which defines it, in its
docstring: the page shows that definition as "how this is counted"), with its columns,
its labels and which columns its chart draws. ``figures()`` is the one source the pages
and the CSV read; it reads through ``reporting.summary.Source`` (the summary table kept
by a periodic task, and the live records for the current week).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from agencies.census import AgencyType
from referrals.census import ConcernCategory
from referrals.models import Outcome
from reporting.performance import (
    RUBRIC,
    Period,
    Scope,
    Week,
    conversions,
    decided_in_time,
    feedback_in_time,
    outcomes,
    re_referrals,
    referrals_by_agency,
    referrals_by_agency_type,
    referrals_by_concern,
    time_to_decision,
)
from reporting.performance_coaching import GROUP_LABELS, GROUPS, coaching_by_agency
from reporting.performance_discussions import challenges, discussion_membership, minutes_on_time
from reporting.performance_quality import quality, quality_by_agency
from reporting.summary import Source

AGENCY_TYPE_LABELS = {**dict(AgencyType.choices), "none": "No agency (recorded call)"}
CONCERN_LABELS = dict(ConcernCategory.choices)
OUTCOME_LABELS = dict(Outcome.choices)

# --- Tables: what the pages, their charts and the CSV show ------------------------------

COUNT, SHARE, HOURS, SCORE = "count", "share", "hours", "score"
NO_REFERRALS = "No referrals"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = COUNT


@dataclass
class Table:
    """One figure as a table: rows (a week, or an agency) of values by column. When
    ``chart`` names columns, the page draws them as weekly series (``chart_kind`` line
    or bar) above the table, which is their accessible equivalent."""

    key: str
    title: str
    counted: str  # "how this is counted", under the chart
    first_column: str
    columns: list[Column]
    rows: list[tuple[str, date | None, dict]]  # (label, the week's Monday or None, values)
    chart: list[str] = field(default_factory=list)
    chart_kind: str = "line"
    chart_unit: str = ""
    chart_max: float | None = None
    empty: str = NO_REFERRALS  # what a share with nothing to divide shows

    @property
    def weekly(self) -> bool:
        return bool(self.rows) and self.rows[0][1] is not None

    def series(self) -> list[tuple[str, list[float | None]]]:
        labels = {c.key: c.label for c in self.columns}
        return [
            (labels[key], [values.get(key) for _l, _w, values in self.rows]) for key in self.chart
        ]


def week_label(monday: date) -> str:
    return f"w/c {monday.day} {monday:%b %Y}"


def _weekly_rows(weeks: list[Week]) -> list[tuple[str, date | None, dict]]:
    return [(week_label(w.monday), w.monday, w.values) for w in weeks]


def _present_keys(weeks: list[Week], order: list[str]) -> list[str]:
    seen = {key for week in weeks for key, value in week.values.items() if value}
    return [key for key in order if key in seen]


def _doc(function) -> str:
    """The figure's definition as its docstring gives it, on one line."""
    return " ".join((function.__doc__ or "").split())


def _tables_in_time(src) -> list[Table]:
    return [
        Table(
            key="in_time",
            title="Decided within 24 hours",
            counted=_doc(decided_in_time),
            first_column="Week received",
            columns=[
                Column("counted", "Referrals decided or due"),
                Column("in_time", "Decided in time"),
                Column("share", "Share decided in time", SHARE),
            ],
            rows=_weekly_rows(src.decided_in_time()),
            chart=["share"],
            chart_unit="%",
            chart_max=100,
        ),
        Table(
            key="time_to_decision",
            title="Time to decision (hours)",
            counted=_doc(time_to_decision),
            first_column="Week received",
            columns=[
                Column("decided", "Referrals decided"),
                Column("median", "Median (hours)", HOURS),
                Column("p95", "95th percentile (hours)", HOURS),
            ],
            rows=_weekly_rows(src.time_to_decision()),
            chart=["median", "p95"],
            chart_unit=" h",
            empty="No decisions",
        ),
    ]


def _table_by_type(src) -> Table:
    weeks = src.referrals_by_agency_type()
    keys = _present_keys(weeks, [*AgencyType.values, "none"])
    return Table(
        key="by_agency_type",
        title="Referrals by source agency type",
        counted=_doc(referrals_by_agency_type),
        first_column="Week received",
        columns=[Column(k, AGENCY_TYPE_LABELS[k]) for k in keys] + [Column("total", "All")],
        rows=_weekly_rows(weeks),
        chart=["total"],
        chart_kind="bar",
    )


def _table_by_agency(src) -> Table:
    return Table(
        key="by_agency",
        title="Referrals by source agency over the period",
        counted=_doc(referrals_by_agency),
        first_column="Agency",
        columns=[Column("type", "Type", "text"), Column("referrals", "Referrals")],
        rows=[
            (r["agency"], None, {**r, "type": AGENCY_TYPE_LABELS.get(r["type"], r["type"])})
            for r in src.referrals_by_agency()
        ],
    )


def _table_by_concern(src) -> Table:
    weeks = src.referrals_by_concern()
    keys = _present_keys(weeks, list(ConcernCategory.values))
    totals = {k: sum(w.values.get(k, 0) for w in weeks) for k in keys}
    return Table(
        key="by_concern",
        title="Referrals by concern",
        counted=_doc(referrals_by_concern) + " The chart shows the four most frequent.",
        first_column="Week received",
        columns=[Column(k, CONCERN_LABELS[k]) for k in keys],
        rows=_weekly_rows(weeks),
        chart=sorted(keys, key=lambda k: -totals[k])[:4],
    )


def _table_outcomes(src) -> Table:
    weeks = src.outcomes()
    keys = _present_keys(weeks, list(Outcome.values))
    return Table(
        key="outcomes",
        title="Outcomes",
        counted=_doc(outcomes),
        first_column="Week received",
        columns=[Column(k, OUTCOME_LABELS[k]) for k in keys] + [Column("decided", "All decided")],
        rows=_weekly_rows(weeks),
        chart=keys,
    )


def _table_re_referrals(src) -> Table:
    return Table(
        key="re_referrals",
        title="Re-referrals within 12 months",
        counted=_doc(re_referrals),
        first_column="Week received",
        columns=[
            Column("linked", "Referrals linked to a child record"),
            Column("repeats", "With an earlier referral in 12 months"),
            Column("share", "Re-referral rate", SHARE),
        ],
        rows=_weekly_rows(src.re_referrals()),
        chart=["share"],
        chart_unit="%",
        chart_max=100,
        empty="No linked referrals",
    )


def _table_conversions(src) -> Table:
    return Table(
        key="conversions",
        title="Conversion to assessment and to section 47",
        counted=_doc(conversions),
        first_column="Week received",
        columns=[
            Column("decided", "Referrals decided"),
            Column("s17", "To assessment (s17)"),
            Column("s17_share", "Share to assessment", SHARE),
            Column("s47", "To section 47"),
            Column("s47_share", "Share to section 47", SHARE),
        ],
        rows=_weekly_rows(src.conversions()),
        chart=["s17_share", "s47_share"],
        chart_unit="%",
        chart_max=100,
        empty="No decisions",
    )


def _table_feedback(src) -> Table:
    return Table(
        key="feedback",
        title="Referrers given feedback within one working day",
        counted=_doc(feedback_in_time),
        first_column="Week received",
        columns=[
            Column("decided", "Decided referrals from referrers"),
            Column("in_time", "Feedback within one working day"),
            Column("share", "Share given feedback in time", SHARE),
        ],
        rows=_weekly_rows(src.feedback_in_time()),
        chart=["share"],
        chart_unit="%",
        chart_max=100,
        empty="No decisions",
    )


def _quality_columns() -> list[Column]:
    return [
        Column("rated", "Referrals rated"),
        Column("average", "Average score (of 6)", SCORE),
        *(Column(name, label, SHARE) for name, label in RUBRIC),
    ]


def _tables_quality(src) -> list[Table]:
    return [
        Table(
            key="quality",
            title="Referral quality",
            counted=_doc(quality),
            first_column="Week received",
            columns=_quality_columns(),
            rows=_weekly_rows(src.quality()),
            chart=["average"],
            chart_max=6,
            empty="No rated referrals",
        ),
        Table(
            key="quality_by_agency",
            title="Referral quality by agency over the period",
            counted=_doc(quality_by_agency),
            first_column="Agency",
            columns=_quality_columns(),
            rows=[(r["agency"], None, r) for r in src.quality_by_agency()],
            empty="No rated referrals",
        ),
    ]


def _table_coaching(src) -> Table:
    columns = [
        Column("referrals", "Web-form referrals"),
        Column("coached", "Shown a prompt"),
        Column("coached_share", "Share shown a prompt", SHARE),
        Column("prompts", "Prompts shown"),
        Column("acted_on_share", "Prompts acted on", SHARE),
        Column("explained_share", "Prompts explained", SHARE),
        Column("ignored_share", "Prompts ignored", SHARE),
    ]
    for group in GROUPS:
        label = GROUP_LABELS[group]
        columns += [
            Column(f"rated_{group}", f"Rated, {label}"),
            Column(f"average_{group}", f"Average score (of 6), {label}", SCORE),
        ]
    return Table(
        key="coaching_by_agency",
        title="Coaching and referral quality, by agency",
        counted=_doc(coaching_by_agency),
        first_column="Agency",
        columns=columns,
        rows=[(r["agency"], None, r) for r in src.coaching_by_agency()],
        empty="None",
    )


def _tables_discussions(src) -> list[Table]:
    return [
        Table(
            key="membership",
            title="Strategy discussions with police, social care and health present",
            counted=_doc(discussion_membership),
            first_column="Week held",
            columns=[
                Column("held", "Strategy discussions held"),
                Column("all_present", "All three present"),
                Column("share", "Share with all three", SHARE),
            ],
            rows=_weekly_rows(src.discussion_membership()),
            chart=["share"],
            chart_unit="%",
            chart_max=100,
            empty="No discussions",
        ),
        Table(
            key="minutes",
            title="Minutes circulated on time",
            counted=_doc(minutes_on_time),
            first_column="Week held",
            columns=[
                Column("counted", "Discussions with minutes circulated or due"),
                Column("on_time", "Circulated on time"),
                Column("share", "Share on time", SHARE),
            ],
            rows=_weekly_rows(src.minutes_on_time()),
            chart=["share"],
            chart_unit="%",
            chart_max=100,
            empty="No discussions",
        ),
    ]


def _table_challenges(src) -> Table:
    return Table(
        key="challenges",
        title="Challenges raised and resolved",
        counted=_doc(challenges),
        first_column="Week",
        columns=[Column("raised", "Raised"), Column("resolved", "Resolved")],
        rows=_weekly_rows(src.challenges()),
        chart=["raised", "resolved"],
    )


def _one(builder):
    return lambda src: [builder(src)]


# Each builder with the tables it makes, in page order.
BUILDERS = (
    (("in_time", "time_to_decision"), _tables_in_time),
    (("by_agency_type",), _one(_table_by_type)),
    (("by_agency",), _one(_table_by_agency)),
    (("by_concern",), _one(_table_by_concern)),
    (("outcomes",), _one(_table_outcomes)),
    (("re_referrals",), _one(_table_re_referrals)),
    (("conversions",), _one(_table_conversions)),
    (("feedback",), _one(_table_feedback)),
    (("quality", "quality_by_agency"), _tables_quality),
    (("coaching_by_agency",), _one(_table_coaching)),
    (("membership", "minutes"), _tables_discussions),
    (("challenges",), _one(_table_challenges)),
)


def figures(
    *, period: Period, scope: Scope, now: datetime, keys: tuple[str, ...] | None = None
) -> list[Table]:
    """The tables named by ``keys`` (default: every one), in page order. The one source
    of the performance pages and their CSV: complete weeks from the summary table where
    it holds them, the rest live (reporting.summary)."""
    return figures_from(Source(period=period, scope=scope, now=now), keys=keys)


def figures_from(src: Source, *, keys: tuple[str, ...] | None = None) -> list[Table]:
    """``figures()`` from a given source, whose ``as_of`` says how fresh they are."""
    wanted = set(TABLE_KEYS if keys is None else keys)
    tables = []
    for made, builder in BUILDERS:
        if wanted & set(made):
            tables.extend(t for t in builder(src) if t.key in wanted)
    return tables


TABLE_KEYS = (
    "in_time", "time_to_decision", "by_agency_type", "by_agency", "by_concern", "outcomes",
    "re_referrals", "conversions", "feedback", "quality", "quality_by_agency",
    "coaching_by_agency", "membership", "minutes", "challenges",
)  # fmt: skip
AGENCY_TABLE_KEYS = ("in_time", "time_to_decision", "outcomes", "quality", "coaching_by_agency")


def format_value(value, kind: str, empty: str) -> str:
    """A cell as the page shows it: a share as a whole percentage, hours and scores to
    one decimal place, a missing share as ``empty``."""
    if kind == "text":
        return str(value)
    if value is None:
        return empty if kind in (SHARE, HOURS, SCORE) else "0"
    if kind == SHARE:
        return f"{value:.0f}%"
    if kind in (HOURS, SCORE):
        return f"{value:.1f}"
    return str(value)
