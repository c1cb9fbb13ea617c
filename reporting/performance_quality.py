"""Referral quality: the screeners' rubric, as a weekly figure and by agency.

Shaped like every figure of ``reporting.performance`` (whose file it outgrew, as
``reporting.performance_coaching`` did): ``count_quality`` counts, by London week of
receipt and by ``by`` for the summary table, plain integers that add up across weeks and
agencies (the referrals rated, and those meeting each criterion); ``quality_values``
turns a sum of them into the average score and the shares the page shows; ``quality`` and
``quality_by_agency`` are the figures, whose docstrings the page shows as "how this is
counted". ``reporting.summary`` keeps the counts as ``"quality"``.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q

from reporting.performance import RUBRIC, Period, Scope, Week, _by_week, _referrals, _weeks, share


def _quality_aggregates(prefix: str = "quality__") -> dict:
    rated = Q(**{f"{prefix}isnull": False}) if prefix else Q()
    found = {"rated": Count("pk", filter=rated)}
    for name, _label in RUBRIC:
        found[name] = Count("pk", filter=Q(**{f"{prefix}{name}": True}))
    return found


def _quality_values(row: dict) -> dict:
    rated = row.get("rated", 0)
    met = sum(row.get(name, 0) for name, _ in RUBRIC)
    values: dict = {"rated": rated, "average": (met / rated) if rated else None}
    for name, _label in RUBRIC:
        values[name] = share(row.get(name, 0), rated)
    return values


def quality(*, period: Period, scope: Scope, now: datetime) -> list[Week]:
    """Referral quality (the screeners' rubric). Of the referrals received in the week
    that a screener has rated, the average score (0 to 6: one point for each criterion
    met) and the share meeting each criterion."""
    return _weeks(period, count_quality(period=period, scope=scope, now=now), _quality_values)


def count_quality(*, period: Period, scope: Scope, now: datetime, by=None) -> dict:
    return _by_week(
        _referrals(period, scope).filter(quality__isnull=False),
        "received_at",
        by,
        **_quality_aggregates(),
    )


quality_values = _quality_values


def quality_by_agency(*, period: Period, scope: Scope, now: datetime) -> list[dict]:
    """Referral quality by agency over the whole period: of each agency's referrals
    received in the period that a screener has rated, the average score (0 to 6) and the
    share meeting each criterion."""
    rows = (
        _referrals(period, scope)
        .filter(quality__isnull=False, agency__isnull=False)
        .order_by()
        .values("agency_id", "agency__name")
        .annotate(**_quality_aggregates())
        .order_by("agency__name")
    )
    return [{"agency": row["agency__name"], **_quality_values(row)} for row in rows]
