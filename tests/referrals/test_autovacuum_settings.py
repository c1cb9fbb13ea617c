"""Issue 14: referrals 0012 sets the referrals table's autovacuum on PostgreSQL, so the
queue's index-only reads keep skipping the table (docs/PERFORMANCE.md, "Keeping the
queue's index-only reads (autovacuum)"), and takes it off again when reversed. SQLite has
no such settings: there the migration does nothing, either way."""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

NAME = "0012_referral_autovacuum"
MODULE = import_module(f"referrals.migrations.{NAME}")
SET = {
    "autovacuum_vacuum_scale_factor=0",
    "autovacuum_vacuum_threshold=200",
    "autovacuum_vacuum_insert_scale_factor=0",
    "autovacuum_vacuum_insert_threshold=200",
    "vacuum_index_cleanup=on",
}


def reloptions() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = 'referrals_referral'::regclass")
        return set(cursor.fetchone()[0] or [])


def run(direction: str) -> None:
    state = MigrationLoader(connection).project_state(("referrals", NAME))
    with connection.schema_editor() as editor:
        for operation in MODULE.Migration.operations:
            getattr(operation, f"database_{direction}")("referrals", editor, state, state)


@pytest.mark.postgres(reason="PostgreSQL's table settings")
@pytest.mark.django_db
def test_the_migration_set_the_referrals_autovacuum_and_reverses():
    assert reloptions() == SET  # as migrated: nothing else on the table

    run("backwards")
    assert reloptions() == set()

    run("forwards")
    assert reloptions() == SET


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's side")
def test_on_sqlite_the_migration_does_nothing_either_way():
    executed = []
    editor = SimpleNamespace(connection=connection, execute=executed.append)

    MODULE.set_options(None, editor)
    MODULE.reset_options(None, editor)

    assert executed == []
