"""The database refuses to change or remove a kept version: every django-simple-history
table gets the trigger audit/triggers.py gives the access log (on PostgreSQL UPDATE and
DELETE refused; on SQLite UPDATE, as emptying a table there is a DELETE).

TRUNCATE, which the test runner and the benchmarks use to empty tables on PostgreSQL,
is the tables' owner's act and is not refused. A migration that must rewrite kept rows
(a column made NOT NULL with a default, say) drops the trigger first and this puts it
back: ``install`` runs after every ``migrate`` (oversight.apps) and adds it to every
history table that lacks it, new ones included.
"""

from __future__ import annotations

from django.apps import apps
from simple_history.models import HistoricalChanges

from audit import triggers as kept


def history_models() -> list:
    return [model for model in apps.get_models() if issubclass(model, HistoricalChanges)]


def history_tables() -> list[str]:
    return sorted(model._meta.db_table for model in history_models())


def install(connection) -> list[str]:
    return kept.keep_as_written(connection, history_tables())


def uninstall(connection) -> None:
    kept.release(connection, history_tables())
