"""The append-only tables' trigger functions let one DELETE through on PostgreSQL: the
retention schedule's erasure (oversight.erasure), run by the tables' owner with
``SET LOCAL frontdoor.retention_erase = 'on'`` in the same transaction
(audit/triggers.py). Everyone else, the application's role above all, is still refused
every UPDATE and DELETE. Run backwards, the functions refuse everything again. SQLite
refuses only UPDATE (a DELETE is how it empties a table) and is unchanged."""

from django.db import migrations

# The functions as audit 0003 and 0008 made them, for running this backwards.
REFUSE_ALL = [
    """
    CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit events are appended, never changed or removed'
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION refuse_change_to_kept_record() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '% rows are kept as written, never changed or removed', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql
    """,
]


def allow_erasure(apps, schema_editor):
    from audit import triggers

    triggers.allow_erasure(schema_editor.connection)


def refuse_all(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for statement in REFUSE_ALL:
                cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0014_retention_and_departure_events"),
        ("oversight", "0001_history_kept_as_written"),
    ]

    operations = [migrations.RunPython(allow_erasure, refuse_all, elidable=False)]
