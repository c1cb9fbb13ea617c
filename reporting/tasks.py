"""Celery tasks keeping the performance figures' summary table: thin, each calling
reporting.summary.refresh (idempotent: a week counted twice is replaced, not added)."""

from celery import shared_task
from django.utils import timezone

from reporting import summary


@shared_task(name="reporting.refresh_current_weeks", acks_late=True)
def refresh_current_weeks() -> int:
    """This week, counted so far, and last week (decisions on its last referrals arrive
    on Monday): every few minutes."""
    now = timezone.now()
    return summary.refresh(weeks=summary.recent_weeks(now=now, count=1), now=now)


@shared_task(
    name="reporting.refresh_recent_weeks", acks_late=True, soft_time_limit=900, time_limit=960
)
def refresh_recent_weeks() -> int:
    """The last 13 complete London weeks and the current one, what the default 12-week
    page reads: hourly (about a minute's work at national scale, docs/dashboard-performance.md)."""
    now = timezone.now()
    return summary.refresh(weeks=summary.recent_weeks(now=now), now=now)


@shared_task(
    name="reporting.refresh_all_weeks", acks_late=True, soft_time_limit=3500, time_limit=3600
)
def refresh_all_weeks() -> int:
    """Every complete week since the first referral: decisions, amendments, ratings and
    challenges keep arriving for older weeks."""
    now = timezone.now()
    return summary.refresh(weeks=summary.all_weeks(now=now), now=now)
