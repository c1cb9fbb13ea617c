"""Child matching: which existing Child records may be the child a referral describes.

Two steps, as record linkage usually goes:

1. **Blocking** (in the database, on indexes): gather a bounded set of candidates that
   share something cheap to look up: the NHS number; the date of birth, or the same
   date with day and month swapped; a date of birth a year out or one digit mistyped
   (the most similar names only); the postcode; and, when none of those is given,
   similar names (``pg_trgm`` on PostgreSQL, a prefix search on SQLite).
2. **Scoring** (in Python, over at most a few hundred candidates): weighted evidence
   from every detail given, with the reasons in plain English.

Only an exact NHS number match is ever linked without a person deciding
(``exact_nhs_match``); everything else is a suggestion for a screener. docs/matching.md
explains the weights, the blocks and the indexes, with measured timings.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.contrib.postgres.lookups import TrigramSimilar
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.db.models.lookups import PostgresOperatorLookup
from django.utils import timezone

from referrals.models import Child, Referral
from referrals.validation import nhs_number_is_valid, normalise_nhs_number, normalise_postcode

# --- Weights: each detail's contribution to a score between 0 and 1 --------------------
#
# All four main details agreeing exactly adds up to 1.0; an exact NHS number alone is
# 1.0. Disagreement on a detail both sides hold counts against a candidate, so that
# sharing a birthday with a stranger is not a match.
W_DATE_OF_BIRTH = 0.35
W_DATE_OF_BIRTH_SWAPPED = 0.20
W_DATE_OF_BIRTH_NEAR = 0.10  # same day and month a year out, or one digit different
W_LAST_NAME = 0.30
W_FIRST_NAME = 0.20
W_POSTCODE = 0.15
PENALTY_DATE_OF_BIRTH_DIFFERS = 0.15
PENALTY_NAME_DIFFERS = 0.10
PENALTY_NHS_NUMBER_DIFFERS = 0.40

# Share of a name's weight for the weaker kinds of name agreement.
VARIANT_SHARE = 0.85  # Katie for Catherine
OTHER_NAME_SHARE = 0.80  # the name given is one of the child's other recorded names
SWAPPED_NAMES_SHARE = 0.80  # first and last names the wrong way round

# Name similarity (Jaro-Winkler, 0 to 1): at or above SIMILAR it is a near miss, below
# DIFFERENT a different name.
SIMILAR = 0.80
DIFFERENT = 0.60

# Suggestions scoring under MIN_SCORE are not shown. When the details given could not
# reach it even if they all agreed (a postcode alone can only reach 0.15), the bar is
# half of what they could reach instead, so that a search by postcode alone still lists
# the children known at that postcode.
MIN_SCORE = 0.30

# Candidates each block may contribute: scoring is in Python, so it stays bounded.
NHS_CAP = 1
DATE_OF_BIRTH_CAP = 300
NEAR_DATE_CAP = 100
POSTCODE_CAP = 200
NAME_CAP = 200

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

# What a referral says in place of an unborn baby's first name: not a name to match.
UNBORN = "unborn"

# The columns scoring reads; full Child rows are fetched only for the matches returned.
_FIELDS = (
    "pk",
    "first_name",
    "last_name",
    "other_names",
    "date_of_birth",
    "postcode",
    "nhs_number",
)


@dataclass(frozen=True)
class Match:
    """An existing child who may be the child described, and why."""

    child: Child
    score: float  # 0 to 1
    reasons: list[str] = field(default_factory=list)


# --- Public selectors -------------------------------------------------------------------


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
    query = _Query.of(
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        postcode=postcode,
        nhs_number=nhs_number,
    )
    if query.is_empty():
        return []
    threshold = min(MIN_SCORE, query.best_possible() / 2)
    scored = []
    for row in _candidates(query):
        score, reasons = _score(query, row)
        if score >= threshold:
            scored.append((score, reasons, row))
    scored.sort(key=lambda s: (-s[0], s[2].last_name, s[2].first_name, s[2].pk))
    best = scored[: max(limit, 0)]
    children = Child.objects.in_bulk([row.pk for _, _, row in best])
    return [
        Match(child=children[row.pk], score=round(score, 3), reasons=reasons)
        for score, reasons, row in best
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


# --- Normalising and comparing names ----------------------------------------------------


@lru_cache(maxsize=8192)
def normalise_name(value: str) -> str:
    """Lower case, accents and apostrophes dropped, hyphens and punctuation as spaces:
    "  Zoë  O'Brien-Smith " becomes "zoe obrien smith"."""
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"['’`]", "", text)
    return re.sub(r"[\W_]+", " ", text).strip()


def jaro_winkler(a: str, b: str, *, prefix_scale: float = 0.1) -> float:
    """Jaro-Winkler similarity, 0 to 1: kind to typos and transpositions, and to names
    that agree at the start (Smith / Smyth 0.89, Martha / Marhta 0.96)."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    window = max(max(len(a), len(b)) // 2 - 1, 0)
    a_matched = [False] * len(a)
    b_matched = [False] * len(b)
    matches = 0
    for i, char in enumerate(a):
        for j in range(max(0, i - window), min(i + window + 1, len(b))):
            if not b_matched[j] and b[j] == char:
                a_matched[i] = b_matched[j] = True
                matches += 1
                break
    if not matches:
        return 0.0
    out_of_order, j = 0, 0
    for i, char in enumerate(a):
        if a_matched[i]:
            while not b_matched[j]:
                j += 1
            out_of_order += char != b[j]
            j += 1
    jaro = (matches / len(a) + matches / len(b) + (matches - out_of_order / 2) / matches) / 3
    prefix = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        prefix += 1
    return jaro + prefix * prefix_scale * (1 - jaro)


@lru_cache(maxsize=8192)  # names repeat: the same pairs come up query after query
def name_similarity(a: str, b: str) -> float:
    """How alike two normalised names are, 0 to 1. A shared part of a double-barrelled
    or multi-part name ("smith jones" / "smith") counts as 0.9."""
    compact_a, compact_b = a.replace(" ", ""), b.replace(" ", "")
    if compact_a == compact_b:
        return 1.0
    best = max(jaro_winkler(a, b), jaro_winkler(compact_a, compact_b))
    parts_a, parts_b = set(a.split()), set(b.split())
    if (len(parts_a) > 1 or len(parts_b) > 1) and parts_a & parts_b:
        best = max(best, 0.9)
    return best


def variants_of(name: str) -> frozenset[str]:
    """Known variants of a normalised first name, including itself."""
    return _VARIANTS.get(name.replace(" ", ""), frozenset()) | {name}


# --- The query ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Query:
    first_name: str  # as given, for the reasons
    last_name: str
    first: str  # normalised, for comparing
    last: str
    date_of_birth: date | None
    postcode: str
    nhs_number: str

    @classmethod
    def of(cls, *, first_name, last_name, date_of_birth, postcode, nhs_number) -> _Query:
        first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
        first = normalise_name(first_name)
        if first == UNBORN:
            first_name, first = "", ""
        return cls(
            first_name=first_name,
            last_name=last_name,
            first=first,
            last=normalise_name(last_name),
            date_of_birth=date_of_birth,
            postcode=normalise_postcode(postcode),
            # A mistyped NHS number matches no one and should count against no one.
            nhs_number=nhs if nhs_number_is_valid(nhs := normalise_nhs_number(nhs_number)) else "",
        )

    def is_empty(self) -> bool:
        return not (
            self.first or self.last or self.date_of_birth or self.postcode or self.nhs_number
        )

    def best_possible(self) -> float:
        if self.nhs_number:
            return 1.0
        return (
            (W_FIRST_NAME if self.first else 0)
            + (W_LAST_NAME if self.last else 0)
            + (W_DATE_OF_BIRTH if self.date_of_birth else 0)
            + (W_POSTCODE if self.postcode else 0)
        )


# --- Blocking: candidates from the database -----------------------------------------------


@dataclass(frozen=True)
class _Row:
    pk: int
    first_name: str
    last_name: str
    other_names: str
    date_of_birth: date | None
    postcode: str
    nhs_number: str


def _candidates(query: _Query) -> list[_Row]:
    rows: dict[int, _Row] = {}

    def gather(queryset: QuerySet, cap: int) -> None:
        for values in queryset.values_list(*_FIELDS)[:cap]:
            rows.setdefault(values[0], _Row(*values))

    children = Child.objects.all()
    has_name = bool(query.first or query.last)
    if query.nhs_number:
        gather(children.filter(nhs_number=query.nhs_number), NHS_CAP)
    if query.date_of_birth:
        same_dates = children.filter(date_of_birth__in=_birth_dates(query.date_of_birth))
        gather(_most_alike_first(same_dates, query), DATE_OF_BIRTH_CAP)
        if has_name:
            # A year out, or one digit mistyped: those with the most similar last names.
            # (On PostgreSQL ordering a few thousand rows by similarity is cheaper than a
            # trigram condition; SQLite cannot order by similarity, so it filters.)
            near_dates = children.filter(date_of_birth__in=_near_birth_dates(query.date_of_birth))
            if not _on_postgresql():
                near_dates = near_dates.filter(_name_condition(query))
            gather(_most_alike_first(near_dates, query), NEAR_DATE_CAP)
    if query.postcode:
        postcodes = {query.postcode, query.postcode.replace(" ", "")}
        gather(_most_alike_first(children.filter(postcode__in=postcodes), query), POSTCODE_CAP)
    if has_name and not (query.nhs_number or query.date_of_birth or query.postcode):
        by_name = children.filter(_name_condition(query))
        gather(_most_alike_first(by_name, query, both_names=True), NAME_CAP)
    return list(rows.values())


def _birth_dates(given: date) -> set[date]:
    """The date given, and the same date with day and month swapped."""
    dates = {given}
    if given.day <= 12:  # then the month, as a day, is always a valid day too
        dates.add(given.replace(month=given.day, day=given.month))
    return dates


def _years_either_side(given: date) -> set[date]:
    dates = set()
    for year in (given.year - 1, given.year + 1):
        with suppress(ValueError):  # 29 February
            dates.add(given.replace(year=year))
    return dates


def _near_birth_dates(given: date) -> set[date]:
    """The same day and month a year either side, and every real date one digit away
    (2016 for 2018, 13 for 18) within 20 years and not in the future: about 30 dates."""
    text = given.isoformat()
    dates = _years_either_side(given)
    for i, char in enumerate(text):
        if not char.isdigit():
            continue
        for digit in "0123456789":
            if digit != char:
                with suppress(ValueError):
                    dates.add(date.fromisoformat(text[:i] + digit + text[i + 1 :]))
    today = timezone.localdate()
    near = {d for d in dates if abs(d.year - given.year) <= 20 and d <= today}
    return near - _birth_dates(given)


def _on_postgresql() -> bool:
    return connection.vendor == "postgresql"


class _ILike(PostgresOperatorLookup):
    """``ILIKE``, which the GIN trigram indexes serve. (Django's ``istartswith`` wraps the
    column in ``UPPER()``, which they cannot.)"""

    lookup_name = "trigram_ilike"
    postgres_operator = "ILIKE"


def _name_condition(query: _Query) -> Q:
    """Children whose names may be the names given: both names when both are given.

    Each name may be similar, or start with the same letters (two of a last name, one of
    a first name): a pair of letters swapped in a short name ("Smtih") shares too few
    trigrams with the name meant. A first name may also be a known variant. Or the first
    name is the same and the last name has the same initial."""
    if _on_postgresql():
        return _trigram_name_condition(query)
    # SQLite, the embedded mode: the same prefixes and variants, and Python does the rest.
    last = Q()
    for prefix in _prefixes(query.last_name, query.last, 2):
        last |= Q(last_name__istartswith=prefix)
    first = Q()
    if query.first:
        for prefix in _prefixes(query.first_name, query.first, 1 if query.last else 2):
            first |= Q(first_name__istartswith=prefix)
        for name in variants_of(query.first):
            first |= Q(first_name__iexact=name)
    if not (query.first and query.last):
        return last & first
    same_first = Q()
    for name in {query.first_name, query.first}:
        same_first |= Q(first_name__iexact=name)
    last_initial = Q()
    for initial in _prefixes(query.last_name, query.last, 1):
        last_initial |= Q(last_name__istartswith=initial)
    return (last & first) | (same_first & last_initial)


def _trigram_name_condition(query: _Query) -> Q:
    """On PostgreSQL: ``%`` (pg_trgm similarity over its threshold, 0.3 by default) and
    ``ILIKE``, both served by the GIN trigram indexes, so that with both names the plan
    is the AND of two small bitmap index scans. Used as expressions, the lookups need no
    django.contrib.postgres in INSTALLED_APPS."""
    last = Q()
    if query.last:
        last = Q(TrigramSimilar(F("last_name"), query.last))
        if query.first:  # alone, a two-letter prefix would be most of a common name
            last |= _starting_with("last_name", _prefixes(query.last_name, query.last, 2))
    first = Q()
    if query.first:
        first = Q(TrigramSimilar(F("first_name"), query.first))
        initials = _prefixes(query.first_name, query.first, 1)
        if query.last:
            first |= _starting_with("first_name", initials)
        for name in sorted(variants_of(query.first) - {query.first}):
            if not query.last or name[0] not in {i.casefold() for i in initials}:
                first |= Q(_ILike(F("first_name"), _like_escaped(name)))
    if not (query.first and query.last):
        return last & first
    # The same first name and a last name with the same initial: a slip in the second
    # letter of a last name ("Boll" for "Bell") leaves too few trigrams and no prefix.
    same_first = Q()
    for name in sorted({query.first_name.casefold(), query.first}):
        same_first |= Q(_ILike(F("first_name"), _like_escaped(name)))
    last_initial = _starting_with("last_name", _prefixes(query.last_name, query.last, 1))
    return (last & first) | (same_first & last_initial)


def _starting_with(column: str, prefixes: set[str]) -> Q:
    condition = Q()
    for prefix in sorted({p.casefold() for p in prefixes}):
        condition |= Q(_ILike(F(column), _like_escaped(prefix) + "%"))
    return condition


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _prefixes(given: str, normalised: str, length: int) -> set[str]:
    return {p for p in (given[:length], normalised.replace(" ", "")[:length]) if p}


def _most_alike_first(queryset: QuerySet, query: _Query, *, both_names=False) -> QuerySet:
    """When a block holds more candidates than its cap, keep those whose last name (or
    first name, when no last name is given) is most like the one given; in a search by
    name, both names. PostgreSQL only: SQLite's embedded data is small enough for any
    order, and it has no similarity function."""
    if not _on_postgresql() or not (query.first or query.last):
        return queryset.order_by("pk")
    likeness = []
    if query.last:
        likeness.append(TrigramSimilarity("last_name", Value(query.last)))
    if query.first and (both_names or not query.last):
        names = sorted(variants_of(query.first))
        similarities = [TrigramSimilarity("first_name", Value(name)) for name in names]
        likeness.append(Greatest(*similarities) if len(similarities) > 1 else similarities[0])
    total = likeness[0] if len(likeness) == 1 else likeness[0] + likeness[1]
    return queryset.annotate(likeness=total).order_by("-likeness", "pk")


# --- Scoring --------------------------------------------------------------------------------


def _score(query: _Query, row: _Row) -> tuple[float, list[str]]:
    points, reasons = 0.0, []

    def add(evidence: tuple[float, str | None]) -> None:
        nonlocal points
        points += evidence[0]
        if evidence[1]:
            reasons.append(evidence[1])

    nhs_matches = bool(query.nhs_number) and query.nhs_number == row.nhs_number
    if nhs_matches:
        reasons.append("NHS number matches")
    elif query.nhs_number and row.nhs_number:
        add((-PENALTY_NHS_NUMBER_DIFFERS, "NHS number is different"))
    add(_date_of_birth_evidence(query.date_of_birth, row.date_of_birth))
    for evidence in _names_evidence(query, row):
        add(evidence)
    if query.postcode and normalise_postcode(row.postcode) == query.postcode:
        add((W_POSTCODE, "Postcode matches"))
    score = 1.0 if nhs_matches else min(max(points, 0.0), 1.0)
    return score, reasons


def _date_of_birth_evidence(given: date | None, recorded: date | None):
    if not given or not recorded:
        return 0.0, None
    if given == recorded:
        return W_DATE_OF_BIRTH, "Date of birth matches"
    if recorded in _birth_dates(given):
        return W_DATE_OF_BIRTH_SWAPPED, "Date of birth matches with day and month swapped"
    if recorded in _years_either_side(given):
        return W_DATE_OF_BIRTH_NEAR, "Date of birth matches except the year, one year out"
    if sum(x != y for x, y in zip(given.isoformat(), recorded.isoformat(), strict=True)) == 1:
        return W_DATE_OF_BIRTH_NEAR, "Date of birth differs by one digit"
    return -PENALTY_DATE_OF_BIRTH_DIFFERS, None


def _names_evidence(query: _Query, row: _Row) -> list[tuple[float, str | None]]:
    recorded_first = normalise_name(row.first_name)
    if recorded_first == UNBORN:  # since born and named: the first name says nothing
        recorded_first = ""
    recorded_last = normalise_name(row.last_name)
    others = _other_names(row.other_names)
    first = _name_evidence(
        "First name",
        query.first_name,
        query.first,
        row.first_name,
        recorded_first,
        others,
        weight=W_FIRST_NAME,
        variants=True,
    )
    last = _name_evidence(
        "Last name",
        query.last_name,
        query.last,
        row.last_name,
        recorded_last,
        others,
        weight=W_LAST_NAME,
        variants=False,
    )
    if (
        query.first
        and query.last
        and query.first.replace(" ", "") == recorded_last.replace(" ", "")
        and query.last.replace(" ", "") == recorded_first.replace(" ", "")
        and query.first != query.last
    ):
        swapped = (W_FIRST_NAME + W_LAST_NAME) * SWAPPED_NAMES_SHARE
        if swapped > first[0] + last[0]:
            given = f"{query.first_name} {query.last_name}"
            recorded = f"{row.first_name} {row.last_name}"
            return [(swapped, f"First and last names swapped ({given} / {recorded})")]
    return [first, last]


@lru_cache(maxsize=8192)
def _other_names(text: str) -> frozenset[str]:
    """Each name in "Ada Quist, Ada-Jo Q" (normalised, without spaces) and each word of
    them: a previous last name may be recorded on its own or with a first name."""
    names = set()
    for chunk in re.split(r"[,;/]", text or ""):
        normalised = normalise_name(chunk)
        names.add(normalised.replace(" ", ""))
        names.update(normalised.split())
    names.discard("")
    return frozenset(names)


def _name_evidence(
    label: str,
    given: str,
    normalised: str,
    recorded: str,
    recorded_normalised: str,
    other_names: frozenset[str],
    *,
    weight: float,
    variants: bool,
) -> tuple[float, str | None]:
    if not normalised or not recorded_normalised:
        return 0.0, None
    similarity = name_similarity(normalised, recorded_normalised)
    if similarity == 1.0:
        return weight, f"{label} matches"
    if variants and recorded_normalised in variants_of(normalised):
        return weight * VARIANT_SHARE, f"{label} is a known variant ({given} / {recorded})"
    if normalised.replace(" ", "") in other_names and similarity < OTHER_NAME_SHARE:
        return weight * OTHER_NAME_SHARE, f"{label} matches another name recorded ({given})"
    if similarity >= SIMILAR:
        return weight * similarity, f"{label} similar ({given} / {recorded})"
    if similarity < DIFFERENT:
        return -PENALTY_NAME_DIFFERS, None
    return 0.0, None
