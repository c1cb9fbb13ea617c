"""The database refuses to change or remove a kept version: every django-simple-history
table gets the trigger audit/triggers.py gives the access log (on PostgreSQL UPDATE and
DELETE refused; on SQLite UPDATE, as emptying a table there is a DELETE).

TRUNCATE, which the test runner and the benchmarks use to empty tables on PostgreSQL,
is not refused by a trigger; the application's own role may not TRUNCATE these tables
(audit/db_roles.py). A migration that must rewrite kept rows (a column made NOT NULL
with a default, say) drops the trigger first and this puts it back: ``install`` runs
after every ``migrate`` (oversight.apps) and adds it to every history table that lacks
it, new ones included.
"""

from __future__ import annotations

from audit import triggers as kept
from audit.db_roles import history_models

__all__ = ["history_models", "history_tables", "install", "uninstall"]


def history_tables() -> list[str]:
    return sorted(model._meta.db_table for model in history_models())


def install(connection) -> list[str]:
    return kept.keep_as_written(connection, history_tables())


def uninstall(connection) -> None:
    kept.release(connection, history_tables())
