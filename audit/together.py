"""Several tables' new rows, with their history versions, in one statement (PostgreSQL).

``audit.inserts`` writes each table's rows in one INSERT (and a tracked table's versions
in the same statement, WITH ... INSERT). A referral submission still wrote eight tables
in eight statements: the submission, its referrals, their concerns and household, the
audit events, the acknowledgements' notice events and their notifications. ``Together``
collects them and writes them all in one: each table's INSERT a data-modifying WITH
clause of its own (PostgreSQL runs every one, in the order given, whether or not the
main query reads it), each tracked table's versions selected from its clause's
RETURNING as ``inserts.insert_with_history`` selects them, and the main query returning
the keys the database gave.

    together = Together(alias)
    together.add([submission])                      # its key taken already: take_keys
    together.add(referrals, by=user)                # and their versions
    event = together.add([notice_event], unless_taken="key")
    together.add(notifications, only_if=event)      # only if the event was written
    written = together.write()                      # the parts that wrote their rows

What each row's values are is ``audit.inserts``' (each prepared as Django prepares it);
the SQL is made once for each shape of submission. Rows referred to by others' foreign
keys need their keys before the statement: ``take_keys`` takes them from their tables'
sequences (one SELECT for all), as the INSERT's default would have. A part with
``unless_taken`` writes its one row unless its unique value exists (ON CONFLICT DO
NOTHING, as ``inserts.insert_unless_taken``); a part with ``only_if`` writes its rows
only if that part wrote its row (a notice's notifications, only for a new notice).

Nothing listens to these models' save signals but simple-history (``inserts`` checks),
and the database checks every foreign key at the commit (Django's are DEFERRABLE
INITIALLY DEFERRED), so the order of the clauses is only the order of the writes.
PostgreSQL only: SQLite has no INSERT in a WITH clause, and the callers write there as
before (``available``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Model
from django.utils import timezone
from simple_history.utils import get_history_model_for_model

from audit import inserts

_statements: dict = {}


def available(alias: str) -> bool:
    """Whether ``Together`` writes on this database (PostgreSQL, history on)."""
    return connections[alias].vendor == "postgresql" and getattr(
        settings, "SIMPLE_HISTORY_ENABLED", True
    )


def take_keys(alias: str, wanted: Sequence[tuple[type[Model], int]]) -> list[list[int]]:
    """New keys for ``n`` rows of each model, from the sequence its table's key is
    numbered by (what the INSERT's default would take), in one SELECT: a list of keys,
    in increasing order, for each (model, n)."""
    connection = connections[alias]
    for model, _ in wanted:
        if not isinstance(model._meta.pk, inserts._AUTO):
            raise ValueError(f"{model._meta.label}: its key is not numbered by a sequence")
    # The sequence by its table and column (pg_get_serial_sequence), in the statement:
    # no look-up of its own, once a process or ever.
    sql = "SELECT " + ", ".join(  # noqa: S608 - placeholders only
        "ARRAY(SELECT nextval(s) FROM CAST(pg_get_serial_sequence(%s, %s) AS regclass) AS s, "
        "generate_series(1, %s))"
        for _ in wanted
    )
    params = [
        value
        for model, n in wanted
        for value in (connection.ops.quote_name(model._meta.db_table), model._meta.pk.column, n)
    ]
    with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return [sorted(keys) for keys in row]


_NO_HISTORY = object()


@dataclass
class _Part:
    objs: list
    by: object
    unless_taken: str | None
    only_if: int | None
    keyed: bool  # the rows' keys are set already (take_keys)
    history: object = field(default=None)  # the history model, when versions are written

    def shape(self) -> tuple:
        model = type(self.objs[0])
        return (model, len(self.objs), self.keyed, self.history is not None,
                self.unless_taken, self.only_if)  # fmt: skip


class Together:
    """New rows of several tables, written in one statement by ``write``."""

    def __init__(self, alias: str):
        if not available(alias):
            raise ValueError("Together writes on PostgreSQL only (see available())")
        self.alias = alias
        self.parts: list[_Part] = []

    def add(self, objs: Sequence[Model], *, by=_NO_HISTORY, unless_taken=None, only_if=None):
        """Rows of one model to write, with their versions (``by``, the acting user, as
        ``inserts.insert_with_history`` takes it) if given; the part's number, for
        ``only_if`` and ``write``'s answer. Rows whose keys are set are written with
        them (every row of a part, or none)."""
        objs = list(objs)
        if not objs or len(objs) > inserts.CACHED_ROWS:
            raise ValueError("a part has between one and CACHED_ROWS rows")
        if unless_taken is not None and len(objs) != 1:
            raise ValueError("unless_taken writes one row")
        if only_if is not None and self.parts[only_if].unless_taken is None:
            raise ValueError("only_if names a part written unless taken")
        keyed = {obj.pk is not None for obj in objs}
        if len(keyed) != 1:
            raise ValueError("every row of a part has its key set, or none")
        history = None
        if by is not _NO_HISTORY:
            if unless_taken is not None or only_if is not None:
                raise ValueError("a part with versions is written unconditionally")
            history = get_history_model_for_model(type(objs[0]))
            if any(
                hasattr(obj, name)
                for obj in objs
                for name in ("_history_user", "_history_date", "_change_reason")
            ):
                raise ValueError("rows of their own history user, date or reason")
        self.parts.append(
            _Part(objs, by, unless_taken, only_if, keyed=keyed.pop(), history=history)
        )
        return len(self.parts) - 1

    def write(self) -> set[int]:
        """Write every part in one statement, inside the caller's transaction; each row
        gets its key. The numbers of the parts that wrote their rows (a part
        ``unless_taken`` whose value was taken writes nothing, nor do its ``only_if``)."""
        connection = connections[self.alias]
        now = timezone.now()
        shape = tuple(part.shape() for part in self.parts)
        sql = _statements.get((shape, self.alias))
        if sql is None:
            sql = _statements[(shape, self.alias)] = _statement(self.parts, connection)
        params = []
        for part in self.parts:
            model = type(part.objs[0])
            if part.keyed:
                pk = model._meta.pk
                values = []
                rows = inserts._row_values(part.objs, model, connection)
                width = len(rows) // len(part.objs)
                for obj, start in zip(part.objs, range(0, len(rows), width), strict=True):
                    values += [
                        pk.get_db_prep_save(obj.pk, connection),
                        *rows[start : start + width],
                    ]
                params += values
            else:
                params += inserts._row_values(part.objs, model, connection)
            if part.history is not None:
                own = {
                    f.attname: f
                    for f in inserts._insert_fields(part.history)
                    if f.attname in inserts._VERSION_OWN
                }
                for name, value in zip(
                    inserts._VERSION_OWN,
                    (now, "+", getattr(part.by, "pk", None), None),
                    strict=True,
                ):
                    params.append(inserts._prepared(own[name], value, None, connection))
        with transaction.mark_for_rollback_on_error(self.alias), connection.cursor() as cursor:
            cursor.execute(sql, params)
            returned = cursor.fetchall()
        keys: dict[int, list] = {}
        for number, pk in returned:
            if number >= 0:
                keys.setdefault(number, []).append(pk)
        written = set()
        for number, part in enumerate(self.parts):
            if part.keyed and part.unless_taken is None and part.only_if is None:
                inserts._keyed(part.objs, [obj.pk for obj in part.objs], self.alias)
                written.add(number)
            elif number in keys:
                # One statement's rows take their keys from the sequence in the order of
                # their VALUES, so in increasing order (as inserts._with_versions reads).
                inserts._keyed(part.objs, sorted(keys[number]), self.alias)
                written.add(number)
        return written


def _statement(parts: list[_Part], connection) -> str:
    quote = connection.ops.quote_name
    clauses, answers = [], []
    for number, part in enumerate(parts):
        model = type(part.objs[0])
        table = quote(model._meta.db_table)
        fields = ([model._meta.pk] if part.keyed else []) + inserts._insert_fields(model)
        columns = ", ".join(quote(f.column) for f in fields)
        name = f"p{number}"
        if part.only_if is None:
            one = f"({', '.join(['%s'] * len(fields))})"
            source = f"VALUES {', '.join([one] * len(part.objs))}"
        else:  # the rows only if that part wrote its row: typed, as VALUES in a FROM is not
            one = "(" + ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" for f in fields) + ")"
            source = (
                f"SELECT * FROM (VALUES {', '.join([one] * len(part.objs))}) AS v "  # noqa: S608 - our own tables and columns
                f"WHERE EXISTS (SELECT 1 FROM p{part.only_if})"
            )
        conflict = (
            f" ON CONFLICT ({quote(model._meta.get_field(part.unless_taken).column)}) DO NOTHING"
            if part.unless_taken is not None
            else ""
        )
        if part.history is not None:
            tracked = {f.attname: f.column for f in part.history.tracked_fields}
            returning = ", ".join(quote(c) for c in tracked.values())
        else:
            returning = quote(model._meta.pk.column)
        clauses.append(
            f"{name} AS (INSERT INTO {table} ({columns}) {source}{conflict} RETURNING {returning})"
        )
        if part.history is not None:
            clauses.append(_versions_clause(number, part.history, connection))
        if not part.keyed or part.unless_taken is not None or part.only_if is not None:
            answers.append(f"SELECT {number}, {quote(model._meta.pk.column)} FROM {name}")  # noqa: S608 - our own columns
    answers = answers or ["SELECT -1, NULL"]
    return f"WITH {', '.join(clauses)} {' UNION ALL '.join(answers)}"


def _versions_clause(number: int, history_model, connection) -> str:
    """The versions of part ``number``'s rows, selected from its RETURNING: the clause
    ``inserts._versioned_statement`` makes, as a WITH clause of its own."""
    quote = connection.ops.quote_name
    history_fields = inserts._insert_fields(history_model)
    tracked = {f.attname: f.column for f in history_model.tracked_fields}
    if {f.attname for f in history_fields} != {*tracked, *inserts._VERSION_OWN}:
        raise ValueError(f"{history_model._meta.label}: columns beyond the tracked ones")
    own = {f.attname: f for f in history_fields if f.attname in inserts._VERSION_OWN}
    selected = [quote(tracked[f.attname]) for f in history_fields if f.attname in tracked] + [
        f"CAST(%s AS {own[name].db_type(connection)})" for name in inserts._VERSION_OWN
    ]
    columns = [quote(f.column) for f in history_fields if f.attname in tracked] + [
        quote(own[name].column) for name in inserts._VERSION_OWN
    ]
    return (
        f"h{number} AS (INSERT INTO {quote(history_model._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608 - our own tables and columns
        f"SELECT {', '.join(selected)} FROM p{number})"
    )
