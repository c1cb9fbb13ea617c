"""Coaching and referral quality: the figure that shows whether coaching while the
referral is written goes with better referrals (issue 12 part 1).

Shaped like every figure of ``reporting.performance`` (whose file is past the size where
a figure of its own earns a module): ``count_coaching`` counts, by London week of
receipt (and by ``by``, the referral's agency, for the summary table), plain integers
that add up across weeks and agencies; ``coaching_values`` turns a sum of them into the
shares and averages the page shows; ``coaching_by_agency`` is the live figure, whose
docstring the page shows as "how this is counted". ``reporting.summary`` keeps the
counts as ``"coaching"``.

The record counted is ``referrals.CoachingPrompt``: one row per referral, field and rule
shown while the referral was written in the web form, with what became of it (acted
on, explained, ignored). Placeholders ("n/a") are refused, not prompted: they are left
out. Only web-form referrals count (prompts are never shown through the API, and a call
the front door writes up is coached to the screener, not the referrer), and only those
received since coaching began (the first prompt recorded), so that referrals written
before there were prompts do not stand in for "no prompt".
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncWeek

from core.clock import LONDON
from referrals import coaching
from referrals.models import Channel, CoachingOutcome, CoachingPrompt
from reporting.performance import RUBRIC, Period, Scope, _key, _referrals, share

# Coached referrals by what became of their prompts (each in exactly one group), and the
# referrals shown none: the groups whose quality ratings are compared.
GROUPS = ("all_acted_on", "some_explained", "some_ignored", "no_prompt")
GROUP_LABELS = {
    "all_acted_on": "all acted on",
    "some_explained": "some explained",  # and none ignored
    "some_ignored": "some ignored",
    "no_prompt": "no prompt",
}


OUTCOMES = tuple(
    o.value for o in (CoachingOutcome.ACTED_ON, CoachingOutcome.EXPLAINED, CoachingOutcome.IGNORED)
)
# The worst outcome of a referral's prompts, as count_coaching codes it, by group.
WORST = {0: "no_prompt", 1: "all_acted_on", 2: "some_explained", 3: "some_ignored"}


def _prompts():
    """The prompts that count: every rule but the refused placeholder."""
    return CoachingPrompt.objects.exclude(rule=coaching.PLACEHOLDER)


def coaching_began() -> datetime | None:
    """When coaching began: when the first prompt recorded was shown (None: none ever
    was). The first recorded, by id, rather than the earliest ``shown_at`` of all: the
    primary key finds it at once in millions of rows, and prompts are recorded as
    referrals are sent, so the two differ only by a draft or two written over the day
    coaching went live."""
    return _prompts().order_by("pk").values_list("shown_at", flat=True).first()


def _score():
    """A rated referral's quality score, 0 to 6 (a referral not rated scores 0 and is
    not counted as rated)."""
    points = [
        Case(When(**{f"quality__{name}": True}, then=Value(1)), default=Value(0))
        for name, _label in RUBRIC
    ]
    total = points[0]
    for point in points[1:]:
        total = total + point
    return total


def count_coaching(*, period: Period, scope: Scope, now: datetime, by=None) -> dict:
    """{key: counts} by London week of receipt (and ``by``), every count an integer:
    ``referrals`` (web-form referrals received since coaching began), ``coached`` (shown
    at least one prompt), ``coached_<group>`` for the first three GROUPS, ``prompts``
    (prompts shown) and ``prompts_acted_on`` / ``_explained`` / ``_ignored``; and for
    each group of GROUPS, ``rated_<group>`` (referrals a screener rated) and
    ``points_<group>`` (their rubric criteria met, summed)."""
    began = coaching_began()
    if began is None:
        return {}
    # Each referral's group, worked out once by the database from the worst outcome of
    # its prompts (one indexed look-up a referral): none, every one acted on (1), some
    # explained and none ignored (2), some ignored (3).
    worst = (
        _prompts()
        .filter(referral_id=OuterRef("pk"))
        .order_by()
        .values("referral_id")
        .annotate(
            worst=Max(
                Case(
                    When(outcome=CoachingOutcome.IGNORED, then=Value(3)),
                    When(outcome=CoachingOutcome.EXPLAINED, then=Value(2)),
                    default=Value(1),
                )
            )
        )
        .values("worst")
    )
    group = Coalesce(Subquery(worst, output_field=IntegerField()), Value(0))
    fields = ["week", "group"] + ([by] if by else [])
    rows = (
        _referrals(period, scope)
        .filter(channel=Channel.WEB, received_at__gte=began)
        .order_by()
        .annotate(week=TruncWeek("received_at", tzinfo=LONDON), group=group, score=_score())
        .values(*fields)
        .annotate(
            n=Count("pk"),
            rated=Count("pk", filter=Q(quality__isnull=False)),
            points=Sum("score", output_field=IntegerField()),
        )
    )
    found: dict = {}
    for row in rows:
        counts = found.setdefault(_key(row["week"], row, by), {"referrals": 0, "coached": 0})
        name = WORST[row["group"]]
        counts["referrals"] += row["n"]
        if name != "no_prompt":
            counts["coached"] += row["n"]
            counts[f"coached_{name}"] = row["n"]
        counts[f"rated_{name}"] = row["rated"]
        counts[f"points_{name}"] = row["points"] or 0
    # The prompts themselves, counted from their side (another look-up a referral in the
    # query above costs more than this join: PostgreSQL's JIT compiler is the most of it).
    by_prompt = f"referral__{by}" if by else None
    prompts = (
        _prompts()
        .filter(
            scope.referral_q("referral__"),
            referral__channel=Channel.WEB,
            referral__received_at__gte=max(began, period.start),
            referral__received_at__lt=period.end,
        )
        .order_by()
        .annotate(week=TruncWeek("referral__received_at", tzinfo=LONDON))
        .values(*(["week"] + ([by_prompt] if by_prompt else [])))
        .annotate(
            prompts=Count("pk"),
            **{
                f"prompts_{outcome}": Count("pk", filter=Q(outcome=outcome)) for outcome in OUTCOMES
            },
        )
    )
    for row in prompts:
        counts = found.setdefault(_key(row["week"], row, by_prompt), {})
        counts.update({name: row[name] for name in row if name.startswith("prompts")})
    return found


def coaching_values(row: dict) -> dict:
    """A row of counts (one week's, or summed over the period) as the page shows it: the
    counts, the share of referrals coached, the shares of prompts acted on, explained
    and ignored, and each group's average quality score (0 to 6) with how many were
    rated. None where there is nothing to divide."""
    prompts = row.get("prompts", 0)
    values: dict = {
        "referrals": row.get("referrals", 0),
        "coached": row.get("coached", 0),
        "coached_share": share(row.get("coached", 0), row.get("referrals", 0)),
        "prompts": prompts,
    }
    for outcome in ("acted_on", "explained", "ignored"):
        values[f"prompts_{outcome}"] = row.get(f"prompts_{outcome}", 0)
        values[f"{outcome}_share"] = share(row.get(f"prompts_{outcome}", 0), prompts)
    for group in GROUPS:
        rated = row.get(f"rated_{group}", 0)
        values[f"rated_{group}"] = rated
        values[f"average_{group}"] = row.get(f"points_{group}", 0) / rated if rated else None
    return values


def sum_by_agency(counted: dict) -> dict[int, dict]:
    """``count_coaching(by="agency_id")`` summed over its weeks, by agency."""
    sums: dict[int, dict] = {}
    for (_monday, agency), counts in counted.items():
        if agency is None:
            continue
        into = sums.setdefault(agency, {})
        for name, value in counts.items():
            into[name] = into.get(name, 0) + value
    return sums


def coaching_by_agency(*, period: Period, scope: Scope, now: datetime) -> list[dict]:
    """Of each agency's referrals received in the period through the web form (since
    coaching began): how many were shown at least one coaching prompt while being
    written; of the prompts shown, the share acted on (the text sent no longer drew the
    prompt), explained (the referrer said why they could not say more) and ignored;
    and the screeners' average quality score (0 to 6, the rubric) of the rated referrals
    whose prompts were all acted on, of those with some explained and none ignored, of
    those with some ignored, and of those shown no prompt at all. Refused placeholders
    ("n/a") are not counted as prompts. This is a comparison, not proof that coaching
    works: a referral that draws no prompt was already written the way the prompts ask,
    and a referrer who acts on prompts may write better referrals anyway. Read the
    averages beside how many were rated: a handful proves nothing either way."""
    from agencies.models import Agency

    sums = sum_by_agency(count_coaching(period=period, scope=scope, now=now, by="agency_id"))
    sums = {pk: counts for pk, counts in sums.items() if counts.get("referrals")}
    names = dict(Agency.objects.filter(pk__in=list(sums)).values_list("pk", "name"))
    rows = [{"agency": names[pk], **coaching_values(counts)} for pk, counts in sums.items()]
    return sorted(rows, key=lambda r: r["agency"])
