"""The performance figures' summary: what each London week's referrals, strategy
discussions and challenges add up to, per referring agency, kept by a periodic task
(reporting.tasks) so that the performance pages read a few hundred rows rather than
every referral of the period. See docs/performance.md."""

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
