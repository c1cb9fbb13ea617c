"""Child matching's date-of-birth index covers every column matching reads (PostgreSQL).

The date-of-birth block reads the candidates born on the date given (and on the same
date with day and month swapped: some 500 children at a million) with their other
names, postcode and NHS number; with those in the index too, that is an index-only scan
instead of a table page a child (0.85 ms to 0.41 ms a search in the database at
1,000,000 children; docs/PERFORMANCE.md). The index grows from 47 MB to 69 MB at that
size. SQLite has no covering indexes: Django leaves ``include`` out there.

It replaces ``referrals_child_dob_names`` (0005), which covered the names and the id
only. On PostgreSQL both steps run CONCURRENTLY (the migration is not atomic), so a
live children table keeps taking writes while the index is built.
"""

from django.db import migrations, models

OLD = models.Index(
    fields=["date_of_birth"],
    include=["last_name", "first_name", "id"],
    name="referrals_child_dob_names",
)
NEW = models.Index(
    fields=["date_of_birth"],
    include=["last_name", "first_name", "id", "other_names", "postcode", "nhs_number"],
    name="referrals_child_dob_rows",
)


def _replace(apps, schema_editor, *, old, new):
    child = apps.get_model("referrals", "Child")
    if schema_editor.connection.vendor == "postgresql":
        create = str(new.create_sql(child, schema_editor, concurrently=True))
        schema_editor.execute(
            create.replace("INDEX CONCURRENTLY", "INDEX CONCURRENTLY IF NOT EXISTS", 1)
        )
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {old.name}")
        return
    schema_editor.remove_index(child, old)
    schema_editor.add_index(child, new)


def forwards(apps, schema_editor):
    _replace(apps, schema_editor, old=OLD, new=NEW)


def backwards(apps, schema_editor):
    _replace(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    atomic = False  # CREATE and DROP INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("referrals", "0008_referral_open_assigned_idx")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="child", name=OLD.name),
                migrations.AddIndex(model_name="child", index=NEW),
            ],
            database_operations=[migrations.RunPython(forwards, backwards, elidable=False)],
        )
    ]
