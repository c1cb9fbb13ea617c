"""What the child matching tests share (test_matching.py, test_matching_api.py): two
valid, synthetic NHS numbers, and the children a list of matches names."""

from __future__ import annotations

from referrals.matching import Match
from referrals.models import Child

# Valid NHS numbers (modulus 11), synthetic.
NHS_A = "9434765919"
NHS_B = "9434765870"


def ids(matches: list[Match]) -> list[int]:
    return [m.child.pk for m in matches]


def match_for(matches: list[Match], child: Child) -> Match:
    [found] = [m for m in matches if m.child.pk == child.pk]
    return found
