"""INSERTs whose SQL is made once: for the writes every referral submission makes.

Django compiles each ``save()`` and ``bulk_create()`` afresh: a new ``InsertQuery``, its
compiler, the SQL assembled column by column (54 of them for a referral, and its history
row), the returned key matched back to the object. A referral POST made nine such
statements and spent about 45% of its CPU in them (docs/PERFORMANCE.md). ``insert``
writes the same rows with SQL kept per model, row count and database, and prepares each
value as Django does (``pre_save`` then ``get_db_prep_save``); ``insert_with_history``
writes each row's django-simple-history version as its ``post_save`` or
``bulk_create_with_history`` would (type "+", the acting user, no change reason).

Each value is prepared as Django prepares it; for the plain fields whose preparation
gives back the very value it is given (text in a CharField or TextField, true or false
in a BooleanField, a whole number in an integer column or a foreign key to one, and
None in any of them: ``_passes_through``), the value is taken as it is, without the
five calls that would return it unchanged (about 200 values a referral POST;
``tests/audit/test_inserts.py`` checks each such field against Django's preparation).
A version's values are its row's, read back from the object as simple-history's
``post_save`` reads them, without making a historical model instance for each.

Neither sends ``pre_save`` or ``post_save``: only for models nothing listens to but
simple-history, whose version ``insert_with_history`` writes itself (and
``tests/audit/test_inserts.py`` compares both with the ORM's). Here, at the bottom of the
apps, because the history is the audit's and every app above writes through it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import Model, signals
from django.db.models import fields as model_fields
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import get_history_model_for_model

# Statements are kept per (model, rows, database) for up to this many rows; more go to
# bulk_create, which splits them into batches the database takes (no submission has that
# many: a few children, their concerns and household).
CACHED_ROWS = 32

_statements: dict = {}
_fields: dict = {}
_plain: dict = {}

# Field classes (exactly these, not subclasses, which may prepare values otherwise) whose
# ``pre_save`` reads the attribute and whose ``get_db_prep_save`` gives back a value of
# these exact types unchanged; integer columns only where the database's operations do
# not adapt integers (``adapt_integerfield_value``: psycopg 3 wraps them, psycopg2 not).
_TEXT = (model_fields.CharField, model_fields.TextField, model_fields.EmailField)
_INTEGER = (
    model_fields.IntegerField,
    model_fields.BigIntegerField,
    model_fields.SmallIntegerField,
    model_fields.PositiveIntegerField,
    model_fields.PositiveSmallIntegerField,
    model_fields.PositiveBigIntegerField,
)
_AUTO = (model_fields.AutoField, model_fields.BigAutoField, model_fields.SmallAutoField)


def _listened_to(model) -> list:
    """What listens to ``model``'s pre_save or post_save besides simple-history (whose
    version ``insert_with_history`` writes itself): nothing may, since ``insert`` sends
    neither signal."""
    return [
        receiver
        for signal in (signals.pre_save, signals.post_save)
        for receivers in signal._live_receivers(model)
        for receiver in receivers
        if not isinstance(getattr(receiver, "__self__", None), HistoricalRecords)
    ]


def _insert_fields(model) -> list:
    fields = _fields.get(model)
    if fields is None:
        opts = model._meta
        if list(opts.db_returning_fields) != [opts.pk]:
            raise ValueError(f"{opts.label}: only the primary key may be returned")
        if listeners := _listened_to(model):
            raise ValueError(f"{opts.label}: its save signals have receivers {listeners}")
        fields = [
            f
            for f in opts.concrete_fields
            if not getattr(f, "generated", False) and not (f.primary_key and f.db_returning)
        ]
        _fields[model] = fields
    return fields


def _passes_through(field, connection) -> type | None:
    """The one type of value (besides None) that ``field`` prepares into itself, unchanged,
    on this connection; None when its values must go through Django's preparation."""
    kind = type(field)
    if kind in _TEXT:
        return str
    if kind is model_fields.BooleanField:
        return bool
    ops = type(connection.ops)
    integers_as_they_are = (
        ops.adapt_integerfield_value is BaseDatabaseOperations.adapt_integerfield_value
    )
    if kind in _INTEGER:
        return int if integers_as_they_are else None
    if kind is models.ForeignKey and type(field.target_field) in (*_INTEGER, *_AUTO):
        # ForeignKey.get_db_prep_save: its target's preparation (an id's: int(), then
        # validate_autopk_value, which only MySQL's operations change).
        autopk_as_it_is = ops.validate_autopk_value is BaseDatabaseOperations.validate_autopk_value
        return int if integers_as_they_are and autopk_as_it_is else None
    return None


def _preparation(model, connection) -> list[tuple]:
    """(field, attname, the type it passes through unchanged or None) for each column
    ``insert`` writes, worked out once per model and database."""
    key = (model, connection.alias)
    plain = _plain.get(key)
    if plain is None:
        plain = [(f, f.attname, _passes_through(f, connection)) for f in _insert_fields(model)]
        _plain[key] = plain
    return plain


def _prepared(field, value, plain: type | None, connection):
    """``value`` as Django's ``get_db_prep_save`` prepares it for ``field``."""
    if value is None or (plain is not None and type(value) is plain):
        return value
    return field.get_db_prep_save(value, connection)


def _statement(model, fields, rows: int, connection) -> str:
    key = (model, rows, connection.alias)
    sql = _statements.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        one = f"({', '.join(['%s'] * len(fields))})"
        sql = (
            f"INSERT INTO {table} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608 - our own tables and columns
            f"VALUES {', '.join([one] * rows)} "
            f"RETURNING {table}.{quote(model._meta.pk.column)}"
        )
        _statements[key] = sql
    return sql


def insert(objs: Sequence[Model]) -> Sequence[Model]:
    """Write new rows of one model in one statement, inside the caller's transaction;
    each object gets its primary key, as ``bulk_create`` gives it."""
    if not objs:
        return objs
    model = type(objs[0])
    if len(objs) > CACHED_ROWS:
        return model._default_manager.bulk_create(objs)
    alias = router.db_for_write(model)
    connection = connections[alias]
    params = _row_values(objs, model, connection)
    keys = _execute(model, _insert_fields(model), params, len(objs), alias)
    _keyed(objs, [pk for (pk,) in keys], alias)
    return objs


def insert_unless_taken(obj: Model, *, unique: str) -> Model | None:
    """Write one new row unless a row with the same ``unique`` field's value exists (INSERT
    ... ON CONFLICT (its column) DO NOTHING, the SQL made once); the object with its key,
    or None when the value was taken (a second writer waits for the first to commit)."""
    model = type(obj)
    alias = router.db_for_write(model)
    connection = connections[alias]
    key = (model, "unless taken", unique, alias)
    sql = _statements.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        fields = _insert_fields(model)
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 - our own tables and columns
            f"({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}) "
            f"ON CONFLICT ({quote(model._meta.get_field(unique).column)}) DO NOTHING "
            f"RETURNING {quote(model._meta.pk.column)}"
        )
        _statements[key] = sql
    params = _row_values([obj], model, connection)
    with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    _keyed([obj], [row[0]], alias)
    return obj


def _row_values(objs: Sequence[Model], model, connection) -> list:
    """Each row's values, one after the other, prepared as Django prepares them."""
    params = []
    for obj in objs:
        # Catches a related object saved after it was assigned, as bulk_create does.
        obj._prepare_related_fields_for_save(operation_name="insert")
        for field, attname, plain in _preparation(model, connection):
            if plain is None:  # pre_save may set the value (auto_now_add): Django's way
                params.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
            else:  # Field.pre_save: the attribute as it is
                params.append(_prepared(field, getattr(obj, attname), plain, connection))
    return params


def _keyed(objs: Sequence[Model], keys: list, alias: str) -> None:
    for obj, pk in zip(objs, keys, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias


def _execute(model, fields, params: list, rows: int, alias: str) -> list:
    """Run the INSERT of ``rows`` rows of ``model`` with their prepared values; their keys."""
    connection = connections[alias]
    sql = _statement(model, fields, rows, connection)
    with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchall()
    if len(keys) != rows:
        raise RuntimeError(f"{model._meta.label}: {len(keys)} keys for {rows} rows")
    return keys


def insert_with_history(objs: Sequence[Model], *, by) -> Sequence[Model]:
    """``insert`` the rows with their history versions: what ``save()`` with
    simple-history's ``post_save``, or ``bulk_create_with_history``, writes ("+", dated
    now, by ``by`` unless a row says ``_history_user``).

    One statement for both (``_with_versions``): the rows' INSERT in a WITH clause, its
    RETURNING the tracked columns as the database stored them, and the versions' INSERT
    selecting them from it, with the version's own four values (its date, type, user
    and change reason), the same for every row of the statement. simple-history copies
    the tracked attributes of the object just saved; here the database copies the
    columns just written from those attributes, into columns of the same types. On
    PostgreSQL: SQLite (the embedded mode) has no INSERT in a WITH clause. Rows whose
    own values differ (one names another ``_history_user``), or more rows than a
    statement is kept for, are written as before: the rows, then their versions as
    historical instances."""
    if not objs or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return insert(objs)
    history_model = get_history_model_for_model(type(objs[0]))
    if hasattr(history_model, "history_relation"):
        raise ValueError(f"{history_model._meta.label}: a history_relation is not written here")
    now = timezone.now()
    owns = {
        (
            getattr(obj, "_history_date", now),
            getattr(getattr(obj, "_history_user", by), "pk", None),
            getattr(obj, "_change_reason", None),
        )
        for obj in objs
    }
    together = connections[router.db_for_write(type(objs[0]))].vendor == "postgresql"
    if not together or len(objs) > CACHED_ROWS or len(owns) != 1:
        insert(objs)
        _insert_versions_as_instances(history_model, objs, by=by, now=now)
        return objs
    [(date, user_id, reason)] = owns
    return _with_versions(objs, history_model, date=date, user_id=user_id, reason=reason)


_VERSION_OWN = ("history_date", "history_type", "history_user_id", "history_change_reason")
_versioned: dict = {}


def _versioned_statement(model, history_model, rows: int, connection) -> str:
    """WITH written AS (INSERT INTO the model's table ... RETURNING its tracked columns)
    INSERT INTO the history's table (the tracked columns, then the version's own)
    SELECT them FROM written, with the version's own four values as parameters, each cast to
    its column's type; RETURNING the rows' keys."""
    key = (model, rows, connection.alias)
    sql = _versioned.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        fields = _insert_fields(model)
        history_fields = _insert_fields(history_model)
        tracked = {f.attname: f.column for f in history_model.tracked_fields}
        if {f.attname for f in history_fields} != {*tracked, *_VERSION_OWN}:
            raise ValueError(f"{history_model._meta.label}: columns beyond the tracked ones")
        one = f"({', '.join(['%s'] * len(fields))})"
        # The history's own columns are in the order _VERSION_OWN's parameters come in.
        own = {f.attname: f for f in history_fields if f.attname in _VERSION_OWN}
        selected = [quote(tracked[f.attname]) for f in history_fields if f.attname in tracked] + [
            f"CAST(%s AS {own[name].db_type(connection)})" for name in _VERSION_OWN
        ]
        columns = [quote(f.column) for f in history_fields if f.attname in tracked] + [
            quote(own[name].column) for name in _VERSION_OWN
        ]
        pk = quote(model._meta.pk.column)
        sql = (
            f"WITH written AS (INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 - our own tables and columns
            f"({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES {', '.join([one] * rows)} "
            f"RETURNING {', '.join(quote(c) for c in tracked.values())}) "
            f"INSERT INTO {quote(history_model._meta.db_table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(selected)} FROM written "
            f"RETURNING {quote(history_model._meta.db_table)}.{pk}"
        )
        _versioned[key] = sql
    return sql


def _with_versions(objs, history_model, *, date, user_id, reason) -> Sequence[Model]:
    model = type(objs[0])
    if not isinstance(model._meta.pk, _AUTO):
        raise ValueError(f"{model._meta.label}: only a key the database numbers is written here")
    alias = router.db_for_write(model)
    connection = connections[alias]
    params = _row_values(objs, model, connection)
    own = {f.attname: f for f in _insert_fields(history_model) if f.attname in _VERSION_OWN}
    for name, value in zip(_VERSION_OWN, (date, "+", user_id, reason), strict=True):
        params.append(_prepared(own[name], value, None, connection))
    sql = _versioned_statement(model, history_model, len(objs), connection)
    with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = sorted(pk for (pk,) in cursor.fetchall())
    if len(keys) != len(objs):
        raise RuntimeError(f"{model._meta.label}: {len(keys)} keys for {len(objs)} rows")
    # One statement's rows take their keys from the table's sequence in the order of its
    # VALUES, so in ascending order (bulk_create's RETURNING gives them in that order).
    _keyed(objs, keys, alias)
    return objs


def _insert_versions_as_instances(history_model, objs: Sequence[Model], *, by, now) -> None:
    """The versions of rows written already, as historical instances, through ``insert``
    (and so bulk_create for more rows than a statement is kept for)."""
    tracked = history_model.tracked_fields
    insert(
        [
            history_model(
                history_date=getattr(obj, "_history_date", now),
                history_type="+",
                history_user_id=getattr(getattr(obj, "_history_user", by), "pk", None),
                history_change_reason=getattr(obj, "_change_reason", None),
                **{f.attname: getattr(obj, f.attname) for f in tracked},
            )
            for obj in objs
        ]
    )
