"""Names: normalising them, and how alike two names are.

Plain Python, no database: blocking and scoring both build on it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.process import cdist

# Jaro-Winkler's weight for each of up to four letters in common at the start (Winkler's).
PREFIX_WEIGHT = 0.1

# What a referral says in place of an unborn baby's first name: not a name to match.
UNBORN = "unborn"

# A common first name and its usual variants. Deliberately small: a variant is weaker
# evidence than the name itself, and a large table links names that are not the same.
VARIANT_GROUPS: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "jon john jonathan johnny jonny",
        "kate katie katy catherine katherine kathryn cathy kath kathy",
        "mohammed muhammad mohammad mohamed muhammed mohamad mohammod",
        "william will bill billy",
        "elizabeth liz lizzie lizzy beth betty eliza",
        "alexander alex",
        "alexandra alex alexa",
        "thomas tom tommy",
        "james jim jimmy jamie",
        "robert rob robbie bob bobby",
        "michael mike mikey mick",
        "daniel dan danny",
        "joseph joe joey",
        "samuel sam sammy",
        "samantha sam sammie",
        "charlotte charlie lottie",
        "charles charlie chas",
        "rebecca becky becca",
        "jessica jess jessie",
        "abigail abbie abby",
        "benjamin ben benny",
        "matthew matt matty",
        "christopher chris",
        "nicholas nick nicky",
        "oliver ollie olly",
        "edward ed eddie ted teddy",
        "margaret maggie meg peggy",
        "aleksander aleksandr oleksandr olexandr",
        "yusuf yousef yosef",
        "aisha ayesha aysha",
        "fatima fatimah fatma",
    )
)
_VARIANTS: dict[str, frozenset[str]] = {}
for _group in VARIANT_GROUPS:
    for _name in _group:
        _VARIANTS[_name] = _VARIANTS.get(_name, frozenset()) | _group


@lru_cache(maxsize=8192)
def normalise_name(value: str) -> str:
    """Lower case, accents and apostrophes dropped, hyphens and punctuation as spaces:
    "  Zoë  O'Brien-Smith " becomes "zoe obrien smith"."""
    value = value or ""
    if value.isascii() and value.isalpha():  # most names: letters only, nothing to drop
        return value.lower()
    text = unicodedata.normalize("NFKD", value)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"['’`]", "", text)
    return re.sub(r"[\W_]+", " ", text).strip()


def jaro_winkler(a: str, b: str, *, prefix_weight: float = PREFIX_WEIGHT) -> float:
    """Jaro-Winkler similarity, 0 to 1: kind to typos and transpositions, and to names
    that agree at the start (Smith / Smyth 0.89, Martha / Marhta 0.96).

    rapidfuzz's, which follows Winkler's own comparator (strcmp95): the transpositions
    are halved in whole numbers, and the bonus for up to four letters in common at the
    start is given only when the Jaro similarity is over 0.7."""
    return JaroWinkler.similarity(a, b, prefix_weight=prefix_weight)


@lru_cache(maxsize=8192)  # names repeat: the same pairs come up query after query
def name_similarity(a: str, b: str) -> float:
    """How alike two normalised names are, 0 to 1. A shared part of a double-barrelled
    or multi-part name ("smith jones" / "smith") counts as 0.9."""
    if " " not in a and " " not in b:  # single names: the one comparison below
        return 1.0 if a == b else jaro_winkler(a, b)
    compact_a, compact_b = a.replace(" ", ""), b.replace(" ", "")
    if compact_a == compact_b:
        return 1.0
    best = max(jaro_winkler(a, b), jaro_winkler(compact_a, compact_b))
    parts_a, parts_b = set(a.split()), set(b.split())
    if (len(parts_a) > 1 or len(parts_b) > 1) and parts_a & parts_b:
        best = max(best, 0.9)
    return best


def similarities(name: str, others: list[str]) -> list[float]:
    """``name_similarity(name, other)`` for each of ``others``: for single names (most),
    Jaro-Winkler for all of them in one call (rapidfuzz's cdist, in C, which gives what
    it gives one pair at a time), so that scoring a search's few hundred candidates does
    not make a Python call a name."""
    if " " in name or not others:
        return [name_similarity(name, other) for other in others]
    values = cdist([name], others, scorer=JaroWinkler.similarity, dtype=numpy.float64)
    found = values[0].tolist()
    if " " in "".join(others):  # a multi-part name among them: those the full way
        for i, other in enumerate(others):
            if " " in other:
                found[i] = name_similarity(name, other)
    return found


def variants_of(name: str) -> frozenset[str]:
    """Known variants of a normalised first name, including itself."""
    return _VARIANTS.get(name.replace(" ", ""), frozenset()) | {name}


@lru_cache(maxsize=8192)
def other_names(text: str) -> frozenset[str]:
    """Each name in "Ada Quist, Ada-Jo Q" (normalised, without spaces) and each word of
    them: a previous last name may be recorded on its own or with a first name."""
    names = set()
    for chunk in re.split(r"[,;/]", text or ""):
        normalised = normalise_name(chunk)
        names.add(normalised.replace(" ", ""))
        names.update(normalised.split())
    names.discard("")
    return frozenset(names)
