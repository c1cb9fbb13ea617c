"""Name similarity (referrals.matching.names): rapidfuzz's Jaro-Winkler, checked against a
reference written out here, and against the hand-written comparator it replaced.

The reference is Jaro-Winkler as Winkler's own comparator (strcmp95) computes it, which
rapidfuzz follows: matching letters within half the longer name's length, less one;
the out-of-order matches halved in whole numbers; and the bonus for up to four letters
in common at the start given only when the Jaro similarity is over 0.7. The comparator
Front Door wrote by hand before halved them exactly and always gave the bonus
(``winkler=False`` below); the last test shows that for one slip in a name, the kind of
mistake matching is for, the two reach the same verdict.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from referrals.matching import jaro_winkler, name_similarity
from referrals.matching.scoring import DIFFERENT, SIMILAR

MANY = settings(max_examples=1000, deadline=None)


def reference_jaro_winkler(a: str, b: str, *, winkler: bool = True) -> float:
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    taken = [False] * len(b)
    matched_a = []
    for i, char in enumerate(a):
        for j in range(max(0, i - window), min(i + window + 1, len(b))):
            if not taken[j] and b[j] == char:
                taken[j] = True
                matched_a.append(char)
                break
    matches = len(matched_a)
    if not matches:
        return 0.0
    matched_b = [char for char, was_taken in zip(b, taken, strict=True) if was_taken]
    out_of_order = sum(x != y for x, y in zip(matched_a, matched_b, strict=True))
    transpositions = out_of_order // 2 if winkler else out_of_order / 2
    jaro = (matches / len(a) + matches / len(b) + (matches - transpositions) / matches) / 3
    if winkler and jaro <= 0.7:
        return jaro
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * 0.1 * (1 - jaro)


def band(similarity: float) -> str:
    """What scoring makes of a name's similarity."""
    if similarity >= SIMILAR:
        return "similar"
    if similarity < DIFFERENT:
        return "different"
    return "neither"


# Names as scoring sees them: normalised, so lower case letters and spaces. A small
# alphabet makes shared letters, and so the interesting cases, common.
letters = st.sampled_from("abcdehilmnorsty")
names = st.text(alphabet=st.sampled_from("abcdehilmnorsty "), max_size=14)
any_text = st.text(max_size=20)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # Winkler's published examples (1990), and Front Door's own.
        ("martha", "marhta", 0.961),
        ("dwayne", "duane", 0.840),
        ("dixon", "dicksonx", 0.813),
        ("smith", "smyth", 0.893),
        ("smith", "smtih", 0.947),
        ("mensah", "mensha", 0.967),
    ],
)
def test_known_pairs_score_as_published(a, b, expected):
    assert jaro_winkler(a, b) == pytest.approx(expected, abs=0.001)
    assert jaro_winkler(b, a) == pytest.approx(expected, abs=0.001)


@MANY
@given(a=names, b=names)
@example(a="tcazdpislr", b="eccixlzxo ")  # three out of order: halved to one, not 1.5
@example(a="abigail", b="adam")  # Jaro 0.56: no bonus for the shared "a"
def test_jaro_winkler_is_the_reference(a, b):
    assert jaro_winkler(a, b) == pytest.approx(reference_jaro_winkler(a, b), abs=1e-12)


@MANY
@given(a=any_text, b=any_text)
def test_jaro_winkler_is_a_symmetric_score_from_zero_to_one(a, b):
    similarity = jaro_winkler(a, b)

    assert 0.0 <= similarity <= 1.0
    assert similarity == pytest.approx(jaro_winkler(b, a), abs=1e-12)
    assert (similarity == 1.0) == (a == b)


@MANY
@given(name=st.text(alphabet=letters, min_size=3, max_size=14), data=st.data())
def test_a_name_with_one_slip_gets_the_same_verdict_as_from_the_old_comparator(name, data):
    # The benchmark's typos: after the first letter, one letter changed or two swapped.
    i = data.draw(st.integers(min_value=1, max_value=len(name) - 1))
    if data.draw(st.booleans()) and i < len(name) - 1:
        slip = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    else:
        slip = name[:i] + data.draw(letters) + name[i + 1 :]

    old = reference_jaro_winkler(name, slip, winkler=False)

    assert band(jaro_winkler(name, slip)) == band(old)
    assert band(name_similarity(name, slip)) == band(old)
