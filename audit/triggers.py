"""The database refuses to change an audit event: on PostgreSQL a trigger refuses UPDATE
and DELETE; on SQLite (the embedded mode) UPDATE, as SQLite has no TRUNCATE and emptying
a table (the test runner, ``flush``) is a DELETE there.

(TRUNCATE, as the test runner empties tables on PostgreSQL, is a table owner's act and
is not refused. Separating the application's database role from the tables' owner is
the audit issue's work.)

SQLite drops a table's triggers when a migration rebuilds the table, so ``install`` runs
after every ``migrate`` too (audit.apps) and creates whatever is missing.
"""

from __future__ import annotations

TABLE = "audit_auditevent"
MESSAGE = "audit events are appended, never changed or removed"

POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
    BEGIN
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
