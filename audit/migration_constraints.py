"""Check constraints added to large tables without stopping writes: for a migration's
operations.

A plain ADD CONSTRAINT ... CHECK reads every row while it holds the table's strongest lock,
so the outbox (every referral POST writes to it) would wait for a scan of millions of
notifications, and every audited action for a scan of the audit events. On PostgreSQL
``AddCheckConstraintWithoutLock`` adds the constraint NOT VALID (new rows are checked at
once; a moment's lock) and then VALIDATEs the rows already there under a lock that lets
reads and writes go on. The migration using it must say ``atomic = False``, so that the
two are separate transactions (in one, the first lock would be held through the scan).
SQLite, and any other database, adds it as usual.
Django's state is AddConstraint's own, so ``makemigrations`` sees the model and the
migration agree.

Pure of models and settings; in audit, the lowest app with a large table (its events), so
that it and every app above it (notices first) can use it. Not in core, which imports no
Django.
"""

from __future__ import annotations

from django.db import migrations


class AddCheckConstraintWithoutLock(migrations.AddConstraint):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if schema_editor.connection.vendor != "postgresql" or not self.allow_migrate_model(
            schema_editor.connection.alias, model
        ):
            super().database_forwards(app_label, schema_editor, from_state, to_state)
            return
        table = schema_editor.quote_name(model._meta.db_table)
        name = schema_editor.quote_name(self.constraint.name)
        check = self.constraint._get_check_sql(model, schema_editor)
        schema_editor.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({check}) NOT VALID"
        )
        schema_editor.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {name}")
