"""The database refuses to change an audit event: on PostgreSQL a trigger refuses UPDATE
and DELETE; on SQLite (the embedded mode) UPDATE, as SQLite has no TRUNCATE and emptying
a table (the test runner, ``flush``) is a DELETE there.

The same holds for the other records kept as written (``keep_as_written``): the access
log (audit migration 0008) and every history table (oversight.triggers). One function
refuses the change on PostgreSQL and names the table; each table has its own trigger.

(TRUNCATE, as the test runner empties tables on PostgreSQL, is not refused by a
trigger. In production the application connects as a role that does not own the tables
and may neither TRUNCATE these nor disable or drop their triggers: audit/db_roles.py,
``manage.py grant_app_role``.)

SQLite drops a table's triggers when a migration rebuilds the table, so ``install`` runs
after every ``migrate`` too (audit.apps) and creates whatever is missing.

One DELETE is let through on PostgreSQL (audit 0015): erasure under the retention
schedule (oversight.erasure, ``manage.py retention_erase``), when both hold in the
deleting transaction: the current user owns the table (or is a member of the role that
does), and the transaction-local setting ``frontdoor.retention_erase`` is ``on`` (``SET
LOCAL``). The application's role owns nothing and has no DELETE on these tables, so it
can delete nothing even with the setting on; an UPDATE is refused to everyone.
"""

from __future__ import annotations

TABLE = "audit_auditevent"
MESSAGE = "audit events are appended, never changed or removed"

# The setting erasure sets with SET LOCAL, and the condition under which the triggers
# let a DELETE through: in PL/pgSQL, within a row trigger (TG_OP, TG_RELID).
ERASE_SETTING = "frontdoor.retention_erase"
ERASING = (
    "TG_OP = 'DELETE' "  # noqa: S608 - constants, no input
    f"AND coalesce(current_setting('{ERASE_SETTING}', true), '') = 'on' "
    "AND pg_has_role(current_user, "
    "(SELECT relowner FROM pg_catalog.pg_class WHERE oid = TG_RELID), 'USAGE')"
)

POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
    BEGIN
        IF {ERASING} THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE OR REPLACE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
    """,
]
SQLITE = [
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
]


def install(connection) -> None:
    statements = {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS audit_event_append_only ON {TABLE}")
            cursor.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
        elif connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")


# --- Other records kept as written: the access log, the history tables -----------------

ACCESS_LOG_TABLE = "audit_accesslog"
# PostgreSQL names a trigger within its table, so every kept table's trigger has this
# name; SQLite's trigger names are the schema's, so each carries its table's name.
KEPT_TRIGGER = "kept_as_written"
KEPT_FUNCTION = "refuse_change_to_kept_record"

_KEPT_FUNCTION_SQL = f"""
    CREATE OR REPLACE FUNCTION {KEPT_FUNCTION}() RETURNS trigger AS $$
    BEGIN
        IF {ERASING} THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '% rows are kept as written, never changed or removed', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql
"""


def allow_erasure(connection) -> None:
    """Replace both trigger functions with the ones that let erasure through (audit
    0015); the triggers themselves, which name the functions, are unchanged."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(POSTGRESQL[0])
            cursor.execute(_KEPT_FUNCTION_SQL)


def _sqlite_trigger(table: str) -> str:
    return f"{table}_{KEPT_TRIGGER}"


def kept_tables(connection) -> set[str]:
    """The tables whose rows the database already refuses to change."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgrelid::regclass::text FROM pg_trigger "
                "WHERE NOT tgisinternal AND tgname = %s",
                [KEPT_TRIGGER],
            )
            return {row[0] for row in cursor.fetchall()}
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            return {table for table, name in cursor.fetchall() if name == _sqlite_trigger(table)}
    return set()


def keep_as_written(connection, tables) -> list[str]:
    """Have the database refuse UPDATE (and on PostgreSQL DELETE) on each of ``tables``
    that exist and lack the trigger; return the tables it was added to."""
    if connection.vendor not in ("postgresql", "sqlite"):
        return []
    existing = set(connection.introspection.table_names())
    missing = sorted(set(tables) & existing - kept_tables(connection))
    with connection.cursor() as cursor:
        if missing and connection.vendor == "postgresql":
            cursor.execute(_KEPT_FUNCTION_SQL)
        for table in missing:
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER {KEPT_TRIGGER} "
                    f"BEFORE UPDATE OR DELETE ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {KEPT_FUNCTION}()"
                )
            else:
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {_sqlite_trigger(table)} "
                    f"BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, "
                    f"'{table} rows are kept as written, never changed'); END"
                )
    return missing


def release(connection, tables) -> None:
    """Take the triggers off again (a migration run backwards)."""
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in sorted(set(tables) & existing):
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {KEPT_TRIGGER} ON {table}")
            elif connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {_sqlite_trigger(table)}")
