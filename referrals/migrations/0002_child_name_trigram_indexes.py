"""pg_trgm and GIN trigram indexes on children's names, for child matching.

PostgreSQL only: SQLite (the embedded mode) has neither, and referrals.matching falls
back to a prefix search there. RunPython with a vendor check rather than RunSQL, because
RunSQL would run on SQLite too. The indexes are not declared on the model (a GinIndex
cannot be created on SQLite), so they live here only; `makemigrations` stays clean
because RunPython does not change the model state.
"""

from django.db import migrations

INDEXES = {
    "referrals_child_last_name_trgm": "last_name",
    "referrals_child_first_name_trgm": "first_name",
}
CREATE_INDEX = (
    "CREATE INDEX IF NOT EXISTS {name} ON referrals_child USING gin ({column} gin_trgm_ops)"
)


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        # Not CONCURRENTLY: the table is new. On a large live table, build these by hand
        # with CREATE INDEX CONCURRENTLY first; IF NOT EXISTS then skips them here.
        schema_editor.execute(CREATE_INDEX.format(name=name, column=column))


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    # The pg_trgm extension stays: other database objects may use it, and it is
    # harmless on its own.


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
