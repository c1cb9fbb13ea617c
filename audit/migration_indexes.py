"""Indexes added to large tables without stopping writes: for a migration's operations.

On PostgreSQL each index is built with CREATE INDEX CONCURRENTLY, so writes go on while
it builds; the migration using these operations must say ``atomic = False``. IF NOT
EXISTS: an index an operator built by hand beforehand is kept. (A build that fails half
way leaves an invalid index of that name: DROP it and migrate again.) SQLite, and any
other database, builds them as usual. Django's own state gets ordinary AddIndex
operations, so ``makemigrations`` sees the model's Meta and the migration agree.

Pure of models and settings (migrations import it and pass their own ``apps``); in
audit, the lowest app with large tables (the audit events, the access log), so that
every app above it can use it too, as audit.migration_constraints.
"""

from __future__ import annotations

from django.db import migrations


def add_indexes_concurrently(model: str, indexes: list) -> list:
    """The operations adding ``indexes`` to ``model`` ("app_label.ModelName")."""
    app_label, model_name = model.split(".")

    def create(apps, schema_editor):
        target = apps.get_model(app_label, model_name)
        for index in indexes:
            if schema_editor.connection.vendor == "postgresql":
                sql = str(index.create_sql(target, schema_editor, concurrently=True))
                schema_editor.execute(
                    sql.replace("INDEX CONCURRENTLY", "INDEX CONCURRENTLY IF NOT EXISTS", 1)
                )
            else:
                schema_editor.add_index(target, index)

    def drop(apps, schema_editor):
        target = apps.get_model(app_label, model_name)
        for index in indexes:
            schema_editor.remove_index(target, index)

    return [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(model_name=model_name.lower(), index=index) for index in indexes
            ],
            database_operations=[migrations.RunPython(create, drop, elidable=False)],
        )
    ]
