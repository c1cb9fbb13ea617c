"""Referral references: FD-YYYY-NNNNNN, the year the referral was received (local time)
and a number counted within that year. A number is issued once and never again.

On PostgreSQL each year has a sequence of its own (``referrals_reference_2026``, ...).
``nextval`` never waits for another transaction, so concurrent submissions do not queue
behind one another: the counter row they used before (``ReferenceSequence``) stayed
locked from its upsert until the whole submission committed (docs/PERFORMANCE.md, "The
referral POST"). What a sequence gives up is transactional: a number taken by a
submission that then rolls back (a refused Idempotency-Key retry, an error, a crash) is
not handed out again, so the references of a year may have gaps, never repeats; and two
siblings referred together get consecutive numbers unless another submission took one in
between.

The sequences are made by every ``migrate`` (``ensure_sequences``, from the
``post_migrate`` signal, as the role that owns the tables: the application's role
creates nothing, and ``grant_app_role`` after ``migrate`` lets it use them) for last
year, this year and the next ``YEARS_AHEAD``, each starting after what was already
issued for its year. A year without its sequence (an installation not migrated for
years, or a referral backdated into an older year) takes its numbers from the counter
row instead, locked until commit as before: slower under load, never wrong.

On SQLite (the embedded mode) the counter row is the only counter: SQLite lets one
transaction write at a time anyway.
"""

from __future__ import annotations

import logging
import re

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import BigIntegerField, Max
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from referrals.models import ReferenceSequence, Referral

logger = logging.getLogger(__name__)

YEARS_AHEAD = 5
# What a reference issued here looks like; anything else in the column (a test's or a
# benchmark's own scheme) is not counted when a year's numbering is worked out.
REFERENCE_PATTERN = r"^FD-[0-9]{4}-[0-9]+$"
_TABLE = ReferenceSequence._meta.db_table
_warned: set[int] = set()


def format_reference(year: int, number: int) -> str:
    return f"FD-{year}-{number:06d}"


def sequence_name(year: int) -> str:
    """The year's sequence: a name made only from a checked integer, so it can be
    written into SQL."""
    if not isinstance(year, int) or not 1000 <= year <= 9998:
        raise ValueError(f"not a year a referral can be received in: {year!r}")
    return f"referrals_reference_{year}"


def next_numbers(year: int, count: int) -> list[int]:
    """``count`` new numbers for the year, in increasing order, within the caller's
    transaction."""
    if count < 1:
        raise ValueError("a submission takes at least one reference")
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            return _from_counter_row(cursor, year, count)
        numbers = _from_sequence(cursor, year, count)
        if numbers is not None:
            return numbers
        if year not in _warned:  # once a process and year: it says what to do, not who
            _warned.add(year)
            logger.warning(
                "No reference sequence for %s: its references come from the counter row, "
                "one submission at a time. Run migrate (and grant_app_role) to make it.",
                year,
            )
        numbers = _from_counter_row(cursor, year, count)
        # ensure_sequences may have made the year's sequence while this waited for the
        # row's lock: once it is there, it issues the year's numbers (it started after the
        # row's last), and the row's numbers just taken are a gap.
        return _from_sequence(cursor, year, count) or numbers


def _from_sequence(cursor, year: int, count: int) -> list[int] | None:
    # One statement whatever happens: with no such sequence to_regclass is NULL, and so
    # is nextval (strict), so a missing sequence costs no error and no savepoint.
    cursor.execute(
        "SELECT nextval(s) FROM to_regclass(%s) AS s, generate_series(1, %s)",
        [sequence_name(year), count],
    )
    numbers = [number for (number,) in cursor.fetchall()]
    return None if numbers[0] is None else sorted(numbers)


def _from_counter_row(cursor, year: int, count: int) -> list[int]:
    """The year's row is made or moved on by ``count`` and locked until the transaction
    ends, so its numbers are issued in order and never twice."""
    cursor.execute(
        f"INSERT INTO {_TABLE} (year, last_number) VALUES (%s, %s) "  # noqa: S608 - our own table
        f"ON CONFLICT (year) DO UPDATE SET last_number = {_TABLE}.last_number + %s "
        "RETURNING last_number",
        [year, count, count],
    )
    last = cursor.fetchone()[0]
    return list(range(last - count + 1, last + 1))


def years_to_prepare(today=None) -> list[int]:
    year = (today or timezone.localdate()).year
    return list(range(year - 1, year + YEARS_AHEAD + 1))


def ensure_sequences(years, *, using: str = DEFAULT_DB_ALIAS) -> list[int]:
    """Make each year's sequence if it is missing, starting after every number already
    issued for the year (by its counter row or stored in a reference), and move one that
    is behind its counter row on past it. PostgreSQL only (nothing to do elsewhere);
    run by the tables' owner. Safe while referrals are being submitted: each year's
    counter row is locked first, so a submission taking numbers from the row either
    finishes before (and is counted) or waits and then finds the sequence. Returns the
    years whose sequence it made."""
    db = connections[using]
    if db.vendor != "postgresql":
        return []
    made = []
    for year in years:
        name = sequence_name(year)
        with transaction.atomic(using=using), db.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {_TABLE} (year, last_number) VALUES (%s, 0) "  # noqa: S608 - our own table
                f"ON CONFLICT (year) DO UPDATE SET last_number = {_TABLE}.last_number "
                "RETURNING last_number",
                [year],
            )
            floor = cursor.fetchone()[0]
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is None:
                floor = max(floor, _stored_last(year, using=using))
                cursor.execute(f"CREATE SEQUENCE {name} AS bigint MINVALUE 1 START {floor + 1}")
                made.append(year)
            elif _issued_by_sequence(cursor, name) < floor:
                cursor.execute("SELECT setval(%s, %s)", [name, floor])
    return made


def _issued_by_sequence(cursor, name: str) -> int:
    cursor.execute(f"SELECT last_value, is_called FROM {name}")  # noqa: S608 - sequence_name's
    last_value, is_called = cursor.fetchone()
    return last_value if is_called else last_value - 1


def _stored_numbers(using: str):
    """(year, highest number) of the references stored, a year a row."""
    return (
        Referral.objects.using(using)
        .filter(reference__regex=REFERENCE_PATTERN)
        .annotate(
            ref_year=Cast(Substr("reference", 4, 4), BigIntegerField()),
            ref_number=Cast(Substr("reference", 9), BigIntegerField()),
        )
        .values("ref_year")
        .annotate(last=Max("ref_number"))
        .values_list("ref_year", "last")
    )


def stored_last_numbers(*, using: str = DEFAULT_DB_ALIAS) -> dict[int, int]:
    """{year: the highest number among the references stored for it}."""
    return dict(_stored_numbers(using))


def _stored_last(year: int, *, using: str) -> int:
    # A range on the reference's unique index (whatever the collation, every
    # FD-<year>-<digits> sorts inside it), then the pattern for the exact year.
    found = (
        _stored_numbers(using)
        .filter(reference__gte=f"FD-{year}-", reference__lt=f"FD-{year + 1}-")
        .filter(reference__startswith=f"FD-{year}-")
    )
    return max((last for _year, last in found), default=0)


def last_issued(year: int, *, using: str = DEFAULT_DB_ALIAS) -> int:
    """The last number issued for the year (0 for none): what the next one follows."""
    db = connections[using]
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute("SELECT to_regclass(%s)", [sequence_name(year)])
            if cursor.fetchone()[0] is not None:
                return _issued_by_sequence(cursor, sequence_name(year))
        cursor.execute(f"SELECT last_number FROM {_TABLE} WHERE year = %s", [year])  # noqa: S608
        row = cursor.fetchone()
    return row[0] if row else 0


def renumber_from_stored(*, using: str = DEFAULT_DB_ALIAS) -> dict[int, int]:
    """Set every year's numbering to continue from the highest reference stored for it
    (from 1 for a year with none), for a loader that replaced the referrals wholesale
    (bench/national.py) and for tests. It may move a counter back, so never while
    referrals are being submitted. Returns {year: last number} for the years stored."""
    stored = stored_last_numbers(using=using)
    db = connections[using]
    with transaction.atomic(using=using), db.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_TABLE}")  # noqa: S608 - our own table
        ReferenceSequence.objects.using(using).bulk_create(
            ReferenceSequence(year=year, last_number=last) for year, last in stored.items()
        )
        if db.vendor == "postgresql":
            cursor.execute(
                "SELECT relname FROM pg_class WHERE relkind = 'S' AND relname ~ %s "
                "AND pg_table_is_visible(oid)",
                [r"^referrals_reference_[0-9]{4}$"],
            )
            existing = {int(re.sub(r"\D", "", name)) for (name,) in cursor.fetchall()}
            for year in sorted(existing | set(stored)):
                if year not in existing:
                    ensure_sequences([year], using=using)
                last = stored.get(year, 0)
                # setval(s, 1, false): the next is 1 (a sequence cannot hold 0).
                cursor.execute(
                    "SELECT setval(%s, %s, %s)", [sequence_name(year), max(last, 1), last > 0]
                )
    return stored
