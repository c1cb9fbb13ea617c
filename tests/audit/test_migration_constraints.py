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


# The tables that grow with every case: a CHECK constraint added to one of them by a plain
# AddConstraint holds the table (no writes) while PostgreSQL scans every row. These were
# added that way before audit.migration_constraints existed, on tables then small.
GROWING = {("audit", "auditevent"), ("audit", "accesslog"), ("notices", "noticeevent"),
           ("notices", "notification"), ("referrals", "referral")}  # fmt: skip
BEFORE_THE_HELPER = {
    ("audit", "0004_challenge_events_and_access"),
    ("audit", "0005_discussion_events"),
    ("audit", "0007_child_unlinked_event"),
    *(
        ("notices", name)
        for name in (
            "0001_initial",
            "0002_challenge_notices",
            "0003_discussion_notices",
            "0004_feedback_amended_notice",
            "0005_break_glass_notice",
            "0006_sign_in_change_notices",
            "0009_security_key_notices",
            "0010_rate_limited_notices",
            "0011_refused_often_notices",
        )
    ),  # fmt: skip
    ("referrals", "0001_initial"),
    ("referrals", "0003_coaching_three_houses_pattern_and_diversity_asked"),
}


def test_no_new_migration_adds_a_check_to_a_growing_table_with_a_lock():
    from django.db import migrations

    loader = MigrationLoader(None, ignore_no_migrations=True)
    locking = sorted(
        (app, name, operation.constraint.name)
        for (app, name), migration in loader.disk_migrations.items()
        for operation in migration.operations
        if type(operation) is migrations.AddConstraint
        and (app, operation.model_name) in GROWING
        and type(operation.constraint).__name__ == "CheckConstraint"
        and (app, name) not in BEFORE_THE_HELPER
    )

    assert locking == [], "use audit.migration_constraints.AddCheckConstraintWithoutLock"
