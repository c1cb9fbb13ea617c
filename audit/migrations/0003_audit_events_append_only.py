"""The database itself refuses to change an audit event: on PostgreSQL a trigger refuses
UPDATE and DELETE; on SQLite (the embedded mode) UPDATE, as SQLite has no TRUNCATE and
emptying a table (the test runner, `flush`) is a DELETE there. RunPython with a vendor
check, as each database writes triggers its own way; the model state is unchanged.

(TRUNCATE, as the test runner empties tables on PostgreSQL, is a table owner's act and
is not refused. Separating the application's database role from the tables' owner is
the audit issue's work.)
"""

from django.db import migrations

TABLE = "audit_auditevent"

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit events are appended, never changed or removed'
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
    """,
]
SQLITE = [
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'audit events are appended, never changed or removed'); END
    """,
]


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRESQL, "sqlite": SQLITE}.get(vendor, []):
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS audit_event_append_only ON {TABLE}")
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_audit_events")]

    operations = [migrations.RunPython(add_triggers, drop_triggers, elidable=False)]
