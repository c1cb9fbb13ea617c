"""Strategy discussions and challenges: the figures of the multi-agency work after a
referral (strategy discussion membership, minutes circulated on time, challenges raised
and resolved).

Shaped like every figure of ``reporting.performance`` (whose file they outgrew, as
``reporting.performance_coaching`` did): each ``count_*`` counts, by London week (of the
discussion held, or the challenge raised or resolved) and by ``by`` for the summary
table, plain integers that add up across weeks and agencies; each ``*_values`` turns a
sum of them into what the page shows; the figure itself, whose docstring the page shows
as "how this is counted", is the function named after it. ``reporting.summary`` keeps the
counts.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef, Q

from reporting.performance import Period, Scope, Week, _by_week, _weeks, share
from triage.models import Attendee, Challenge, DiscussionKind, StrategyDiscussion
from triage.strategy_membership import (
    HEALTH_ROLES,
    HEALTH_TYPES,
    POLICE_TYPES,
    SOCIAL_CARE_TYPES,
)


def _present(*, types=frozenset(), roles=frozenset()) -> Exists:
    who = Q(agency__type__in=types)
    if roles:
        who |= Q(role__in=roles)
    return Exists(Attendee.objects.filter(who, discussion_id=OuterRef("pk"), attended=True))


def _discussions(period: Period, scope: Scope):
    return StrategyDiscussion.objects.filter(
        scope.referral_q("referral__"),
        kind=DiscussionKind.STRATEGY_DISCUSSION,
        held_at__gte=period.start,
        held_at__lt=period.end,
    )


def discussion_membership(*, period: Period, scope: Scope, now: datetime) -> list[Week]:
    """Strategy discussions with police, children's social care and health present. Of
    the strategy discussions (not MASH information-sharing meetings) held in the week,
    the share at which someone from the police, someone from children's social care and
    a health professional (a health agency, or a GP, health visitor, school nurse or
    community paediatrician by role) attended: the statutory core that the discussion
    page warns about."""
    counts = count_membership(period=period, scope=scope, now=now)
    return _weeks(period, counts, membership_values)


def count_membership(*, period: Period, scope: Scope, now: datetime, by=None) -> dict:
    return _by_week(
        _discussions(period, scope).annotate(
            police=_present(types=POLICE_TYPES),
            social_care=_present(types=SOCIAL_CARE_TYPES),
            health=_present(types=HEALTH_TYPES, roles=HEALTH_ROLES),
        ),
        "held_at",
        f"referral__{by}" if by else None,
        held=Count("pk"),
        all_present=Count("pk", filter=Q(police=True, social_care=True, health=True)),
    )


def membership_values(row: dict) -> dict:
    return {
        "held": row.get("held", 0),
        "all_present": row.get("all_present", 0),
        "share": share(row.get("all_present", 0), row.get("held", 0)),
    }


def minutes_on_time(*, period: Period, scope: Scope, now: datetime) -> list[Week]:
    """Minutes circulated on time. Of the strategy discussions held in the week whose
    minutes are circulated or due (not yet circulated ones count once their due time
    has passed), the share circulated to the professionals by their due time."""
    return _weeks(period, count_minutes(period=period, scope=scope, now=now), minutes_values)


def count_minutes(*, period: Period, scope: Scope, now: datetime, by=None) -> dict:
    return _by_week(
        _discussions(period, scope).filter(
            Q(minutes_circulated_at__isnull=False) | Q(minutes_due_at__lte=now)
        ),
        "held_at",
        f"referral__{by}" if by else None,
        counted=Count("pk"),
        on_time=Count("pk", filter=Q(minutes_circulated_at__lte=F("minutes_due_at"))),
    )


def minutes_values(row: dict) -> dict:
    return {
        "counted": row.get("counted", 0),
        "on_time": row.get("on_time", 0),
        "share": share(row.get("on_time", 0), row.get("counted", 0)),
    }


def challenges(*, period: Period, scope: Scope, now: datetime) -> list[Week]:
    """Challenges raised in the week, and challenges resolved in the week (whenever
    raised), about referrals in scope."""
    counts = count_challenges(period=period, scope=scope, now=now)
    return _weeks(period, counts, challenge_values)


def count_challenges(*, period: Period, scope: Scope, now: datetime, by=None) -> dict:
    """{key: {"raised": n, "resolved": n}}, each in its own week."""
    base = Challenge.objects.filter(scope.referral_q("referral__"))
    group = f"referral__{by}" if by else None
    found: dict = {}
    for name, when in (("raised", "raised_at"), ("resolved", "resolved_at")):
        rows = _by_week(
            base.filter(**{f"{when}__gte": period.start, f"{when}__lt": period.end}),
            when,
            group,
            n=Count("pk"),
        )
        for key, row in rows.items():
            found.setdefault(key, {})[name] = row["n"]
    return found


def challenge_values(row: dict) -> dict:
    return {"raised": row.get("raised", 0), "resolved": row.get("resolved", 0)}
