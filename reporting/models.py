"""The performance figures' summary: what each London week's referrals, strategy
discussions and challenges add up to, per referring agency, kept by a periodic task
(reporting.tasks) so that the performance pages read a few hundred rows rather than
every referral of the period. See docs/dashboard-performance.md."""

from __future__ import annotations

from django.db import models


class SummaryWeek(models.Model):
    """A London week whose figures the summary holds, and when they were counted: the
    page shows the oldest of these as "figures as of"."""

    week = models.DateField(unique=True, help_text="The week's Monday (London)")
    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Week of {self.week}"


class WeeklyFigures(models.Model):
    """One London week's counts for the referrals of one referring agency (or of none:
    calls recorded from the public), as ``reporting.summary`` lays them out in
    ``counts``: for each figure the numbers its definition adds up, and a histogram of
    time to decision in whole minutes."""

    week = models.DateField(help_text="The week's Monday (London)")
    agency = models.ForeignKey(
        "agencies.Agency", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    counts = models.JSONField(default=dict)
    # The figures shown by agency (summary.BY_AGENCY), flattened, "figure:count": the
    # tables by agency add these up over 600 agencies' rows, and reading a few keys of a
    # small object is several times faster than reaching into ``counts``.
    by_agency = models.JSONField(default=dict)
    # The refresh replaces a week's rows in one transaction, so the one row with no
    # agency (which the unique constraint does not cover: NULLs are distinct) stays one.

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["week", "agency"],
                name="weekly_figures_one_row_per_week_and_agency",
            )
        ]

    def __str__(self) -> str:
        return f"Week of {self.week}, agency {self.agency_id}"


class WeeklyTotals(models.Model):
    """One London week's counts added up over every agency (``scope`` "all", which
    takes in the calls recorded with no agency) or over the agencies of one type
    ("type:police"): what the performance page reads when it is not filtered to one
    agency, a row a week instead of one per agency. Written with the week's
    ``WeeklyFigures`` rows, from them, in the same transaction."""

    ALL = "all"

    week = models.DateField(help_text="The week's Monday (London)")
    scope = models.CharField(max_length=60, help_text='"all", or "type:" and an agency type')
    counts = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["week", "scope"], name="weekly_totals_one_row_per_week_and_scope"
            )
        ]

    def __str__(self) -> str:
        return f"Week of {self.week}, {self.scope}"

    @staticmethod
    def type_scope(agency_type: str) -> str:
        return f"type:{agency_type}"
