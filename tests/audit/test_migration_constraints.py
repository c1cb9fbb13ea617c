"""The audit events' list of kinds is checked again without holding the table through
the scan: the table grows with every audited action, so a new kind's constraint is added
NOT VALID (a moment's lock) and the rows already there validated after, in a separate
transaction (audit.migration_constraints, which notices' migrations use too)."""

from importlib import import_module

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from audit.migration_constraints import AddCheckConstraintWithoutLock

pytestmark = pytest.mark.django_db

MIGRATION = "0011_password_set_by_admin_event"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="NOT VALID is PostgreSQL's")
def test_a_new_audit_kind_is_checked_without_holding_the_table_through_the_scan():
    migration = import_module(f"audit.migrations.{MIGRATION}").Migration
    assert migration.atomic is False
    (operation,) = (
        op for op in migration.operations if isinstance(op, AddCheckConstraintWithoutLock)
    )
    state = MigrationLoader(connection).project_state(("audit", MIGRATION))

    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        operation.database_forwards("audit", editor, state, state)

    add, validate = editor.collected_sql
    assert add.startswith(
        'ALTER TABLE "audit_auditevent" ADD CONSTRAINT "audit_event_kind_is_known" CHECK ('
    )
    assert "'password_set_by_admin'" in add
    assert add.endswith("NOT VALID;")
    assert validate == (
        'ALTER TABLE "audit_auditevent" VALIDATE CONSTRAINT "audit_event_kind_is_known";'
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT convalidated FROM pg_constraint WHERE conname = 'audit_event_kind_is_known'"
        )
        assert cursor.fetchall() == [(True,)]
