# ruff: noqa: S608 - our own SQL over synthetic rows (no input reaches it)
"""SQL helpers for bench/national.py's loaders: literals, the deterministic "random"
numbers every row is drawn from, the working-day calendar, and inserting a model's rows
(or its history's) from a SELECT with every other column at its default.

Every draw is ``bench_u(row number, salt)``: a uniform number in [0, 1) from PostgreSQL's
own 64-bit hash of the pair, so a run is reproducible and two statements that need the
same draw for a row get the same one without storing it."""

from __future__ import annotations

from collections.abc import Iterable

WORK_TABLES = "bench_"  # every working table and function of the load starts so


def lit(cursor, value) -> str:
    """``value`` as an SQL literal (strings, numbers, lists of them as arrays)."""
    return cursor.mogrify("%s", [value]).decode()


def text_array(cursor, values: Iterable[str]) -> str:
    return "(" + lit(cursor, list(values)) + "::text[])"


def int_array(cursor, values: Iterable[int]) -> str:
    return "(" + lit(cursor, [int(v) for v in values]) + "::bigint[])"


def create_functions(cursor) -> None:
    cursor.execute(
        """
        CREATE OR REPLACE FUNCTION bench_u(bigint, integer) RETURNS double precision
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT (hashint8extended($1, $2) & 9007199254740991)::double precision
                     / 9007199254740992.0 $$;
        CREATE OR REPLACE FUNCTION bench_pick(bigint, integer, integer) RETURNS integer
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT 1 + floor(bench_u($1, $2) * $3)::integer $$;
        """
    )


def drop_functions(cursor) -> None:
    cursor.execute(
        "DROP FUNCTION IF EXISTS bench_u(bigint, integer), bench_pick(bigint, integer, integer), "
        "bench_add_wd(timestamptz, integer), bench_fill(text, text, text, text, text)"
    )


def ladder(u: str, steps: list[tuple[object, float]], *, quote: bool = True) -> str:
    """CASE WHEN u < p1 THEN v1 WHEN u < p2 THEN v2 ... for cumulative (value, p)."""
    parts = []
    for value, p in steps[:-1]:
        shown = f"'{value}'" if quote else str(value)
        parts.append(f"WHEN {u} < {p!r} THEN {shown}")
    last = f"'{steps[-1][0]}'" if quote else str(steps[-1][0])
    return f"CASE {' '.join(parts)} ELSE {last} END"


def ladder_steps(pairs) -> list[tuple[str, float]]:
    """(value, running total of the probabilities) for ``ladder``, the last step 1.0
    whatever the total."""
    out, running = [], 0.0
    for value, p in pairs:
        running += p
        out.append((value, running))
    out[-1] = (out[-1][0], 1.0)
    return out


def create_calendar(cursor, rows: list[tuple]) -> None:
    """The working-day calendar (national_shape.working_days) and bench_add_wd(ts, n):
    core.clock.add_working_days in SQL (the same local wall-clock time on the n-th
    working day after, from 00:00 on the next working day when ts is not on one)."""
    cursor.execute("DROP TABLE IF EXISTS bench_calendar, bench_wd")
    cursor.execute("CREATE TABLE bench_calendar (d date PRIMARY KEY, working boolean, idx int)")
    cursor.execute(
        "INSERT INTO bench_calendar SELECT * FROM unnest(%s::date[], %s::boolean[], %s::int[])",
        [[r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]],
    )
    cursor.execute(
        "CREATE TABLE bench_wd AS SELECT idx, d FROM bench_calendar WHERE working; "
        "ALTER TABLE bench_wd ADD PRIMARY KEY (idx)"
    )
    cursor.execute(
        """
        CREATE OR REPLACE FUNCTION bench_add_wd(timestamptz, integer) RETURNS timestamptz
        LANGUAGE sql STABLE
        AS $$
          SELECT (w.d + CASE WHEN c.working THEN ($1 AT TIME ZONE 'Europe/London')::time
                             ELSE time '00:00' END) AT TIME ZONE 'Europe/London'
            FROM bench_calendar AS c
            JOIN bench_wd AS w ON w.idx = c.idx + CASE WHEN c.working THEN 0 ELSE 1 END + $2
           WHERE c.d = ($1 AT TIME ZONE 'Europe/London')::date
        $$;
        """
    )


def columns(model, special: dict[str, str]) -> dict[str, str]:
    """SQL for every column of ``model``: ``special`` where given, else NULL for a
    nullable column, else the field's default (a string, a boolean, an empty list or
    object)."""
    from django.db import models

    out = {}
    for field in model._meta.concrete_fields:
        if field.column in special:
            out[field.column] = special[field.column]
        elif field.primary_key:
            continue
        elif field.null:
            out[field.column] = "NULL"
        elif isinstance(field, models.JSONField):
            default = field.get_default()
            out[field.column] = "'{}'::jsonb" if isinstance(default, dict) else "'[]'::jsonb"
        elif isinstance(field, models.BooleanField):
            out[field.column] = "true" if field.get_default() else "false"
        else:
            default = field.get_default()
            if not isinstance(default, str):
                raise SystemExit(f"no synthetic value for {model._meta.db_table}.{field.column}")
            out[field.column] = "'" + default.replace("'", "''") + "'"
    unknown = set(special) - {f.column for f in model._meta.concrete_fields}
    if unknown:
        raise SystemExit(f"{model._meta.db_table} has no column {sorted(unknown)}")
    return out


def insert(cursor, model, special: dict[str, str], source: str) -> int:
    """INSERT INTO the model's table SELECT ``special`` (and defaults) FROM (source)."""
    cols = columns(model, special)
    cursor.execute(
        f"INSERT INTO {model._meta.db_table} ({', '.join(cols)}) "
        f"SELECT {', '.join(cols.values())} FROM ({source}) AS s"
    )
    return cursor.rowcount


def insert_history(
    cursor,
    model,
    *,
    source: str,
    at: str,
    kind: str,
    user: str,
    changes: dict[str, str] | None = None,
    reason: str = "NULL",
) -> int:
    """One version a row of ``model`` as django-simple-history would have kept it: every
    tracked column as the live row has it (``t.`` in ``source``, which must select the
    live table as ``t``), except ``changes``; written at ``at`` by ``user``, of
    ``kind`` "+" (created) or "~" (changed)."""
    historical = model.history.model
    changes = changes or {}
    tracked = {f.column for f in model._meta.concrete_fields}
    cols, values = [], []
    for field in historical._meta.concrete_fields:
        column = field.column
        if column == "history_id":
            continue
        cols.append(column)
        if column in changes:
            values.append(changes[column])
        elif column == "history_date":
            values.append(at)
        elif column == "history_type":
            values.append(f"'{kind}'")
        elif column == "history_user_id":
            values.append(user)
        elif column == "history_change_reason":
            values.append(reason)
        elif column in tracked:
            values.append(f"t.{column}")
        else:
            raise SystemExit(f"{historical._meta.db_table}.{column}: not a column of the model")
    cursor.execute(
        f"INSERT INTO {historical._meta.db_table} ({', '.join(cols)}) "
        f"SELECT {', '.join(values)} FROM {source}"
    )
    return cursor.rowcount


def secondary_indexes(cursor, table_names: list[str]) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the tables' indexes that no constraint owns."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes AS i
         WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint AS c WHERE c.conname = i.indexname)
        """,
        [table_names],
    )
    return cursor.fetchall()


def reset_sequence(cursor, table: str, column: str = "id") -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
        f"coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)"
    )


def insert_from(cursor, model, special: dict[str, str], from_clause: str) -> int:
    """INSERT INTO the model's table SELECT ``special`` (and defaults) FROM
    ``from_clause`` (joins whose aliases ``special`` may name)."""
    cols = columns(model, special)
    cursor.execute(
        f"INSERT INTO {model._meta.db_table} ({', '.join(cols)}) "
        f"SELECT {', '.join(cols.values())} FROM {from_clause}"
    )
    return cursor.rowcount
