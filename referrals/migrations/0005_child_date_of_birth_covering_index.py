"""Child matching's date-of-birth index covers the names and the id (PostgreSQL).

The near-dates block reads the ids and names of the children born on about 30 dates
(some 4,000 at a million children) and ranks them in Python; with the names in the index
that is an index-only scan instead of a few thousand table pages (docs/matching.md).
SQLite has no covering indexes: Django leaves ``include`` out there.

The index replaces the plain one on ``date_of_birth``, which it serves in full. On
PostgreSQL both steps run CONCURRENTLY (the migration is not atomic), so a live children
table keeps taking writes while the index is built; at 1,000,000 children the build took
a few seconds.
"""

from django.db import migrations, models

OLD = "referrals_c_date_of_2963b3_idx"
NEW = models.Index(
    fields=["date_of_birth"],
    include=["last_name", "first_name", "id"],
    name="referrals_child_dob_names",
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NEW.name} ON referrals_child "
            "(date_of_birth) INCLUDE (last_name, first_name, id)"
        )
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {OLD}")
        return
    child = apps.get_model("referrals", "Child")
    schema_editor.remove_index(child, models.Index(fields=["date_of_birth"], name=OLD))
    schema_editor.add_index(child, NEW)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {OLD} ON referrals_child (date_of_birth)"
        )
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NEW.name}")
        return
    child = apps.get_model("referrals", "Child")
    schema_editor.remove_index(child, NEW)
    schema_editor.add_index(child, models.Index(fields=["date_of_birth"], name=OLD))


class Migration(migrations.Migration):
    atomic = False  # CREATE and DROP INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("referrals", "0004_empty_sent_drafts")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="child", name=OLD),
                migrations.AddIndex(model_name="child", index=NEW),
            ],
            database_operations=[migrations.RunPython(forwards, backwards, elidable=False)],
        )
    ]
