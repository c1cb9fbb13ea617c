"""INSERTs whose SQL is made once: for the writes every referral submission makes.

Django compiles each ``save()`` and ``bulk_create()`` afresh: a new ``InsertQuery``, its
compiler, the SQL assembled column by column (54 of them for a referral, and its history
row), the returned key matched back to the object. A referral POST made nine such
statements and spent about 45% of its CPU in them (docs/PERFORMANCE.md). ``insert``
writes the same rows with SQL kept per model, row count and database, and prepares each
value as Django does (``pre_save`` then ``get_db_prep_save``); ``insert_with_history``
writes each row's django-simple-history version as its ``post_save`` or
``bulk_create_with_history`` would (type "+", the acting user, no change reason).

Neither sends ``pre_save`` or ``post_save``: only for models nothing listens to but
simple-history, whose version ``insert_with_history`` writes itself (and
``tests/audit/test_inserts.py`` compares both with the ORM's). Here, at the bottom of the
apps, because the history is the audit's and every app above writes through it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Model, signals
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.utils import get_history_model_for_model

# Statements are kept per (model, rows, database) for up to this many rows; more go to
# bulk_create, which splits them into batches the database takes (no submission has that
# many: a few children, their concerns and household).
CACHED_ROWS = 32

_statements: dict = {}
_fields: dict = {}


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
    fields = _insert_fields(model)
    params = []
    for obj in objs:
        # Catches a related object saved after it was assigned, as bulk_create does.
        obj._prepare_related_fields_for_save(operation_name="insert")
        params.extend(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
    sql = _statement(model, fields, len(objs), connection)
    with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchall()
    if len(keys) != len(objs):
        raise RuntimeError(f"{model._meta.label}: {len(keys)} keys for {len(objs)} rows")
    for obj, (pk,) in zip(objs, keys, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias
    return objs


def insert_with_history(objs: Sequence[Model], *, by) -> Sequence[Model]:
    """``insert`` the rows, then their history versions in one more statement: what
    ``save()`` with simple-history's ``post_save``, or ``bulk_create_with_history``,
    writes ("+", dated now, by ``by`` unless a row says ``_history_user``)."""
    insert(objs)
    if not objs or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return objs
    history_model = get_history_model_for_model(type(objs[0]))
    if hasattr(history_model, "history_relation"):
        raise ValueError(f"{history_model._meta.label}: a history_relation is not written here")
    tracked = history_model.tracked_fields
    now = timezone.now()
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
    return objs
