"""The repeat-referral and chronic-neglect flags of a referral: what the child's referrals
in the 12 months before it say. Annotated onto a queryset in the same query however many
rows (``with_repeat_flags``, read back by ``repeat_flags``: the queue, the screening page,
the decision), or worked out from one child's referrals themselves
(``repeat_flags_of_history``, ``repeat_flags_of_times``: the chronology)."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from referrals.census import ConcernCategory
from referrals.models import Referral, ReferralConcern

REPEAT_WINDOW = timedelta(days=365)
# Referrals in 12 months, this one included, that make a repeat-referral pattern.
PATTERN_COUNT = 3


def _earlier_for_same_child() -> QuerySet:
    """Referrals about the outer referral's child in the 12 months before it."""
    return Referral.objects.filter(
        child_id=OuterRef("child_id"),
        received_at__lt=OuterRef("received_at"),
        received_at__gte=OuterRef("received_at") - REPEAT_WINDOW,
    )


def _count(queryset: QuerySet, group_by: str) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def with_repeat_flags(queryset: QuerySet) -> QuerySet:
    """Annotate each referral with what the repeat-referral and chronic-neglect flags
    need, in the same query however many rows."""
    earlier = _earlier_for_same_child()
    earlier_concerns = ReferralConcern.objects.filter(
        referral__child_id=OuterRef(OuterRef("child_id")),
        referral__received_at__lt=OuterRef(OuterRef("received_at")),
        referral__received_at__gte=OuterRef(OuterRef("received_at")) - REPEAT_WINDOW,
    ).values("category")
    return queryset.annotate(
        earlier_count=_count(earlier, "child_id"),
        earlier_neglect=Exists(earlier.filter(concerns__category=ConcernCategory.NEGLECT)),
        has_neglect=Exists(
            ReferralConcern.objects.filter(
                referral_id=OuterRef("pk"), category=ConcernCategory.NEGLECT
            )
        ),
        concern_recurs=Exists(
            ReferralConcern.objects.filter(
                referral_id=OuterRef("pk"), category__in=earlier_concerns
            )
        ),
        sibling_count=_count(
            Referral.objects.filter(submission_id=OuterRef("submission_id")), "submission_id"
        ),
    )


@dataclass(frozen=True)
class RepeatFlags:
    """What the child's referrals in the 12 months before this one say.

    ``chronic_neglect`` ("possible chronic neglect") only where neglect is part of it:
    neglect in this referral and an earlier one (neglect recurs), or a neglect concern
    in a repeated pattern (three or more referrals in 12 months, neglect in any of
    them). ``repeat_pattern``: three or more referrals in 12 months without neglect.
    """

    earlier_count: int
    concern_recurs: bool
    chronic_neglect: bool
    repeat_pattern: bool = False

    @property
    def is_repeat(self) -> bool:
        return self.earlier_count > 0

    @property
    def referral_count(self) -> int:
        """Referrals in the 12 months, this one included."""
        return self.earlier_count + 1


def repeat_flags(referral: Referral) -> RepeatFlags:
    """Read the flags from a referral annotated by ``with_repeat_flags``."""
    if referral.child_id is None:
        return RepeatFlags(0, False, False, False)
    return _flags(
        earlier_count=referral.earlier_count,
        has_neglect=referral.has_neglect,
        earlier_neglect=referral.earlier_neglect,
        concern_recurs=referral.concern_recurs,
    )


def repeat_flags_of_history(referrals: list[Referral]) -> dict[int, RepeatFlags]:
    """The flags of each of one child's referrals, by id, worked out from the referrals
    themselves: every referral linked to the child, their concerns prefetched. The same
    flags as ``with_repeat_flags`` and ``repeat_flags`` give, without subqueries for
    every referral."""
    flags = repeat_flags_of_times(
        [(r.pk, r.received_at, {c.category for c in r.concerns.all()}) for r in referrals]
    )
    for referral in referrals:
        if referral.child_id is None:
            flags[referral.pk] = RepeatFlags(0, False, False, False)
    return flags


def repeat_flags_of_times(history: list[tuple[int, datetime, set[str]]]) -> dict[int, RepeatFlags]:
    """``repeat_flags_of_history`` from each referral's (id, received_at, concern
    categories): every referral of one child (the chronology reads no more of them)."""
    ordered = sorted(history, key=lambda row: row[1])
    received = [at for _, at, _ in ordered]
    flags = {}
    for pk, at, categories in ordered:
        # The referrals received in the 12 months before this one (not at the same time).
        first = bisect_left(received, at - REPEAT_WINDOW)
        last = bisect_left(received, at)
        earlier = set().union(*(row[2] for row in ordered[first:last]))
        flags[pk] = _flags(
            earlier_count=last - first,
            has_neglect=ConcernCategory.NEGLECT in categories,
            earlier_neglect=ConcernCategory.NEGLECT in earlier,
            concern_recurs=bool(categories & earlier),
        )
    return flags


def _flags(
    *, earlier_count: int, has_neglect: bool, earlier_neglect: bool, concern_recurs: bool
) -> RepeatFlags:
    pattern = earlier_count + 1 >= PATTERN_COUNT
    neglect_recurs = has_neglect and earlier_neglect
    neglect_in_pattern = pattern and (has_neglect or earlier_neglect)
    chronic = neglect_recurs or neglect_in_pattern
    return RepeatFlags(
        earlier_count,
        concern_recurs,
        chronic_neglect=chronic,
        repeat_pattern=pattern and not chronic,
    )
