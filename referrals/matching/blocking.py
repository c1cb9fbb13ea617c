"""Blocking: a bounded set of candidates from the database, found on indexes.

Candidates share something cheap to look up: the NHS number; the date of birth, or the
same date with day and month swapped; a date of birth a year out or one digit mistyped
(the most similar names only); the postcode; and, when none of those is given, similar
names (``pg_trgm`` on PostgreSQL, a prefix search on SQLite). Each block has a cap, so
that scoring, in Python, stays bounded.
"""

from __future__ import annotations

import numpy
from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.lookups import TrigramSimilar
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.db.models.lookups import PostgresOperatorLookup
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.process import cdist

from referrals.matching.dates import birth_dates, near_birth_dates
from referrals.matching.names import variants_of
from referrals.matching.query import ROW_FIELDS, Query, Row
from referrals.models import Child

# Candidates each block may contribute.
NHS_CAP = 1
DATE_OF_BIRTH_CAP = 300
NEAR_DATE_CAP = 100
POSTCODE_CAP = 200
NAME_CAP = 200


def candidates(query: Query) -> list[Row]:
    """Children who may be the child described, each once, at most the blocks' caps."""
    rows: dict[int, Row] = {}

    def gather(queryset: QuerySet, cap: int) -> None:
        for values in queryset.values_list(*ROW_FIELDS)[:cap]:
            rows.setdefault(values[0], Row(*values))

    children = Child.objects.all()
    has_name = bool(query.first or query.last)
    if query.nhs_number:
        gather(children.filter(nhs_number=query.nhs_number), NHS_CAP)
    if query.date_of_birth:
        same_dates = children.filter(date_of_birth__in=birth_dates(query.date_of_birth))
        gather(_most_alike_first(same_dates, query), DATE_OF_BIRTH_CAP)
        if has_name:
            # A year out, or one digit mistyped: those with the most similar last names.
            near_dates = children.filter(date_of_birth__in=near_birth_dates(query.date_of_birth))
            closest = _closest_by_name(near_dates, query, NEAR_DATE_CAP)
            gather(children.filter(pk__in=closest), NEAR_DATE_CAP)
    if query.postcode:
        postcodes = {query.postcode, query.postcode.replace(" ", "")}
        gather(_most_alike_first(children.filter(postcode__in=postcodes), query), POSTCODE_CAP)
    if has_name and not (query.nhs_number or query.date_of_birth or query.postcode):
        by_name = children.filter(_name_condition(query))
        gather(_most_alike_first(by_name, query, both_names=True), NAME_CAP)
    return list(rows.values())


def _closest_by_name(queryset: QuerySet, query: Query, cap: int) -> list[int]:
    """The ids of the ``cap`` children in ``queryset`` whose last name (first name, when
    no last name is given, or any of its known variants) is most like the one given.

    About 30 dates of birth hold some 4,000 children at a million. Their ids and names
    alone come from the covering index on the date of birth (an index-only scan, no
    table rows), and Python ranks them by Jaro-Winkler, the similarity scoring uses,
    on the names lower-cased: pg_trgm's similarity() over as many rows cost more than
    everything else in a search (docs/matching.md)."""
    if query.last:
        column, targets = "last_name", [query.last]
    else:
        column, targets = "first_name", sorted(variants_of(query.first))
    if _on_postgresql():  # two arrays in one row: no Python object per row until here
        found = queryset.order_by().aggregate(ids=ArrayAgg("pk"), names=ArrayAgg(column))
        ids, names = found["ids"] or [], found["names"] or []
    else:
        ids, names = [], []
        for pk, name in queryset.values_list("pk", column).order_by():
            ids.append(pk)
            names.append(name)
    if not ids:
        return []
    names = [name.lower() for name in names]
    # Each name's best similarity to any target, computed in C; ties go to the lower id.
    similarity = cdist(targets, names, scorer=JaroWinkler.similarity, dtype=numpy.float64)
    order = numpy.lexsort((numpy.array(ids), -similarity.max(axis=0)))[:cap]
    return [ids[i] for i in order.tolist()]


def _on_postgresql() -> bool:
    return connection.vendor == "postgresql"


class _ILike(PostgresOperatorLookup):
    """``ILIKE``, which the GIN trigram indexes serve. (Django's ``istartswith`` wraps the
    column in ``UPPER()``, which they cannot.)"""

    lookup_name = "trigram_ilike"
    postgres_operator = "ILIKE"


def _name_condition(query: Query) -> Q:
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


def _trigram_name_condition(query: Query) -> Q:
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


def _most_alike_first(queryset: QuerySet, query: Query, *, both_names=False) -> QuerySet:
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
