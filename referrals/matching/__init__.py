"""Child matching: which existing Child records may be the child a referral describes.

Two steps, as record linkage usually goes:

1. **Blocking** (``blocking``, in the database, on indexes): gather a bounded set of
   candidates that share something cheap to look up.
2. **Scoring** (``scoring``, in Python, over at most a few hundred candidates): weighted
   evidence from every detail given, with the reasons in plain English.

Both build on ``query`` (the details as given, normalised once, and a candidate's row),
``names`` (normalising names and how alike two are) and ``dates`` (the dates a date of
birth may have been meant as); blocking and scoring do not import each other.

Only an exact NHS number match is ever linked without a person deciding
(``exact_nhs_match``); everything else is a suggestion for a screener. docs/matching.md
explains the weights, the blocks and the indexes, with measured timings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from referrals.matching.blocking import candidates, children_by_id
from referrals.matching.names import jaro_winkler, name_similarity, normalise_name, variants_of
from referrals.matching.query import Query
from referrals.matching.scoring import Scorer, threshold
from referrals.models import Child, Referral
from referrals.validation import nhs_number_is_valid, normalise_nhs_number

__all__ = [
    "Match",
    "exact_nhs_match",
    "find_matches",
    "jaro_winkler",
    "matches_for_referral",
    "name_similarity",
    "normalise_name",
    "variants_of",
]


@dataclass(frozen=True)
class Match:
    """An existing child who may be the child described, and why."""

    child: Child
    score: float  # 0 to 1
    reasons: list[str] = field(default_factory=list)


def find_matches(
    *,
    first_name: str = "",
    last_name: str = "",
    date_of_birth: date | None = None,
    postcode: str = "",
    nhs_number: str = "",
    limit: int = 10,
) -> list[Match]:
    """Existing children who may be the child described, best first, at most ``limit``.

    Any of the details may be left out; with none, there are no matches."""
    query = Query.of(
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        postcode=postcode,
        nhs_number=nhs_number,
    )
    if query.is_empty():
        return []
    bar = threshold(query)
    scored = [each for each in Scorer(query).all(candidates(query)) if each[0] >= bar]
    scored.sort(key=lambda s: (-s[0], s[2].last_name, s[2].first_name, s[2].pk))
    best = scored[: max(limit, 0)]
    children = children_by_id([row.pk for _, _, row in best])
    return [
        Match(child=children[row.pk], score=round(points, 3), reasons=reasons)
        for points, reasons, row in best
        if row.pk in children  # deleted between the two reads
    ]


def matches_for_referral(referral: Referral, *, limit: int = 10) -> list[Match]:
    """Existing children who may be the child this referral describes, as given."""
    return find_matches(
        first_name=referral.child_first_name,
        last_name=referral.child_last_name,
        date_of_birth=referral.child_date_of_birth,
        postcode=referral.child_postcode,
        nhs_number=referral.child_nhs_number,
        limit=limit,
    )


def exact_nhs_match(nhs_number: str) -> Child | None:
    """The child with exactly this NHS number, if there is one: the only match that may
    be linked without a person deciding."""
    digits = normalise_nhs_number(nhs_number)
    if not nhs_number_is_valid(digits):
        return None
    return Child.objects.filter(nhs_number=digits).first()
