"""Blocking: a bounded set of candidates from the database, found on indexes.

Candidates share something cheap to look up: the NHS number; the date of birth, or the
same date with day and month swapped; a date of birth a year out or one digit mistyped
(the most similar names only); the postcode; and, when none of those is given, similar
names (``pg_trgm`` on PostgreSQL, a prefix search on SQLite). Each block has a cap, so
that scoring, in Python, stays bounded.
"""

from __future__ import annotations

import numpy
from django.contrib.postgres.lookups import TrigramSimilar
from django.db import connections, router
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import RawSQL
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


def _column(name: str) -> str:
    field = Child._meta.pk if name == "pk" else Child._meta.get_field(name)
    return f'"{field.column}"'


# The blocks on a date of birth (and the near dates), a postcode or an NHS number, and
# the read of the matches' records, are written as SQL once, the same on PostgreSQL and
# SQLite but for the order by similarity, every value a parameter: a search runs three
# or four of them, and building each with the ORM cost more of the process's time than
# reading its rows (docs/matching.md). The search by name (below) is the ORM's.
_TABLE = f'"{Child._meta.db_table}"'
_SELECT_ROWS = f"SELECT {', '.join(map(_column, ROW_FIELDS))} FROM {_TABLE}"  # noqa: S608 - ours
_ID, _DATE_OF_BIRTH = _column("pk"), _column("date_of_birth")
_SELECT_CHILDREN = "SELECT {} FROM {}".format(  # noqa: S608 - ours
    ", ".join(f'"{field.column}"' for field in Child._meta.concrete_fields), _TABLE
)


def candidates(query: Query) -> list[Row]:
    """Children who may be the child described, each once, at most the blocks' caps."""
    rows: dict[int, Row] = {}

    def gather(found: list[Row]) -> None:
        for row in found:
            rows.setdefault(row.pk, row)

    has_name = bool(query.first or query.last)
    if query.nhs_number:
        gather(_select(f"{_column('nhs_number')} = %s", [query.nhs_number], cap=NHS_CAP))
    if query.date_of_birth:
        same_dates = sorted(birth_dates(query.date_of_birth))
        gather(_select(_in(_DATE_OF_BIRTH, same_dates), same_dates, query, DATE_OF_BIRTH_CAP))
        if has_name:
            # A year out, or one digit mistyped: those with the most similar last names.
            closest = _closest_by_name(sorted(near_birth_dates(query.date_of_birth)), query)
            if closest:
                gather(_select(_in(_ID, closest), closest))
    if query.postcode:
        postcodes = sorted({query.postcode, query.postcode.replace(" ", "")})
        gather(_select(_in(_column("postcode"), postcodes), postcodes, query, POSTCODE_CAP))
    if has_name and not (query.nhs_number or query.date_of_birth or query.postcode):
        by_name = _most_alike_first(Child.objects.filter(_name_condition(query)), query)
        gather([Row(*values) for values in by_name.values_list(*ROW_FIELDS)[:NAME_CAP]])
    return list(rows.values())


def children_by_id(ids: list[int]) -> dict[int, Child]:
    """The whole Child records with these ids (the matches a search returns), by id;
    nothing read when there are none. Through ``raw()``, which makes the objects as the
    ORM does (every field, JSON decoded), from SQL written once: building an ``in_bulk``
    cost more than reading its few rows."""
    if not ids:
        return {}
    found = Child.objects.raw(f"{_SELECT_CHILDREN} WHERE {_in(_ID, ids)}", ids)
    return {child.pk: child for child in found}


def _connection():
    return connections[router.db_for_read(Child)]


def _select(
    condition: str, params: list, query: Query | None = None, cap: int | None = None
) -> list[Row]:
    """The rows meeting ``condition`` (SQL of our own, the values in ``params``); with a
    cap, the ``cap`` whose names are most like the query's (``_likeness``), ties to the
    lower id."""
    sql, params = f"{_SELECT_ROWS} WHERE {condition}", list(params)
    if cap is not None:
        likeness, likeness_params = _likeness(query) if query else ("", [])
        order = f"{likeness} DESC, {_ID}" if likeness else _ID
        sql += f" ORDER BY {order} LIMIT %s"
        params += [*likeness_params, cap]
    with _connection().cursor() as cursor:
        cursor.execute(sql, params)
        return list(map(Row._make, cursor.fetchall()))


def _in(column: str, values: list) -> str:
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


def _likeness(query: Query, *, both_names: bool = False) -> tuple[str, list[str]]:
    """How alike a child's last name (or first name, when no last name is given, the best
    of its known variants) is to the one given, as pg_trgm's ``similarity()``; in a
    search by name, both names, added. PostgreSQL only: ("", []) elsewhere, or when no
    name is given. SQLite's embedded data is small enough for any order."""
    if not _on_postgresql() or not (query.first or query.last):
        return "", []
    parts, params = [], []
    if query.last:
        parts.append(f"similarity({_column('last_name')}, %s)")
        params.append(query.last)
    if query.first and (both_names or not query.last):
        names = sorted(variants_of(query.first))
        similarities = [f"similarity({_column('first_name')}, %s)"] * len(names)
        parts.append(f"GREATEST({', '.join(similarities)})" if len(names) > 1 else similarities[0])
        params += names
    return (parts[0] if len(parts) == 1 else f"({parts[0]} + {parts[1]})"), params


def _closest_by_name(dates: list, query: Query, cap: int = NEAR_DATE_CAP) -> list[int]:
    """The ids of the ``cap`` children born on one of ``dates`` whose last name (first
    name, when no last name is given, or any of its known variants) is most like the one
    given, best first, ties to the lower id.

    About 30 dates of birth hold some 6,000 children at a million. Their ids and names
    alone come from the covering index on the date of birth (an index-only scan, no
    table rows), and Python ranks them by Jaro-Winkler, the similarity scoring uses,
    on the names lower-cased: pg_trgm's similarity() over as many rows cost more than
    everything else in a search (docs/matching.md)."""
    if not dates:
        return []
    if query.last:
        column, targets = _column("last_name"), [query.last]
    else:
        column, targets = _column("first_name"), sorted(variants_of(query.first))
    ids, names = _ids_and_names(dates, column)
    if not names:
        return []
    # Each name's best similarity to any target, computed in C.
    similarity = cdist(targets, names, scorer=JaroWinkler.similarity, dtype=numpy.float64)
    return best_first(ids, similarity.max(axis=0), cap)


# Joins the near-dates names into one string: a control character, which no name as
# typed keeps (they are stripped), and which lower() treats as the end of a word.
SEPARATOR = "\x1f"


def _ids_and_names(dates: list, column: str) -> tuple[numpy.ndarray, list[str]]:
    """The ids and the names, lower-cased, of the children born on one of ``dates``."""
    condition = _in(_DATE_OF_BIRTH, dates)
    with _connection().cursor() as cursor:
        if _on_postgresql():
            # One row of two strings: no Python object a child until the names are split,
            # and the ids go straight into numpy.
            strings = (
                f"SELECT count(*), string_agg({_ID}::text, ','), "  # noqa: S608 - ours
                f"string_agg({column}, chr({ord(SEPARATOR)})) FROM {_TABLE}"
            )
            cursor.execute(f"{strings} WHERE {condition}", dates)
            count, ids, joined = cursor.fetchone()
            if not count:
                return numpy.array([], dtype=numpy.int64), []
            names = split_lowered(joined, count)
            if names is not None:
                return numpy.fromstring(ids, dtype=numpy.int64, sep=","), names
        # SQLite, or a name holding the separator: a row a child.
        cursor.execute(f"SELECT {_ID}, {column} FROM {_TABLE} WHERE {condition}", dates)  # noqa: S608
        found = cursor.fetchall()
    ids = numpy.array([pk for pk, _ in found], dtype=numpy.int64)
    return ids, [name.lower() for _, name in found]


def split_lowered(joined: str, count: int) -> list[str] | None:
    """``count`` (one or more) names joined by SEPARATOR, each lower-cased as it would be alone (the
    separator is neither cased nor case-ignorable, so a final sigma stays final); None
    when a name held the separator itself."""
    names = joined.lower().split(SEPARATOR)
    return names if len(names) == count else None


def best_first(ids: numpy.ndarray, similarity: numpy.ndarray, cap: int) -> list[int]:
    """The ``cap`` ids of the highest similarity, best first, ties to the lower id."""
    if len(ids) > cap:
        # Only those at or above the cap-th highest similarity can be among them: sort
        # those (a few hundred) rather than all (a few thousand).
        kth = len(ids) - cap
        keep = similarity >= numpy.partition(similarity, kth)[kth]
        ids, similarity = ids[keep], similarity[keep]
    return ids[numpy.lexsort((ids, -similarity))[:cap]].tolist()


def _on_postgresql() -> bool:
    return _connection().vendor == "postgresql"


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


def _most_alike_first(queryset: QuerySet, query: Query) -> QuerySet:
    """The name block's order: both names most like those given first (``_likeness``),
    ties to the lower id; by id on SQLite."""
    likeness, params = _likeness(query, both_names=True)
    if not likeness:
        return queryset.order_by("pk")
    likeness = RawSQL(likeness, params)  # noqa: S611 - our own SQL, the names as parameters
    return queryset.annotate(likeness=likeness).order_by("-likeness", "pk")
