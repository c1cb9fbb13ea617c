"""An index on the access log by account, newest first: (user_id, at, id), the order the
auditors' page reads (``-at``, ``-pk``). The account-number filter, which the rate
alerts link to ("account 12" on a day), reads its page and its count from it; without it
every search by account read the whole log (about 14 million rows at national scale,
bench/national.py).

On PostgreSQL it is built with CREATE INDEX CONCURRENTLY (so the migration is not
atomic): the log is written on every page that shows a record, and those writes go on
while it builds. IF NOT EXISTS: an index built by hand beforehand is kept. (A build that
fails half way leaves an invalid index of that name: DROP it and migrate again.) SQLite
builds it as usual. Written out here as triage 0011 does rather than through
referrals.migration_indexes: audit sits below referrals and may not import it. The
append-only triggers (0008) refuse UPDATE and DELETE only; building an index is neither.
"""

from django.db import migrations, models

INDEX = models.Index(fields=["user_id", "at", "id"], name="accesslog_user_at_idx")


def create(apps, schema_editor):
    model = apps.get_model("audit", "AccessLog")
    if schema_editor.connection.vendor == "postgresql":
        sql = str(INDEX.create_sql(model, schema_editor, concurrently=True))
        schema_editor.execute(
            sql.replace("INDEX CONCURRENTLY", "INDEX CONCURRENTLY IF NOT EXISTS", 1)
        )
    else:
        schema_editor.add_index(model, INDEX)


def drop(apps, schema_editor):
    schema_editor.remove_index(apps.get_model("audit", "AccessLog"), INDEX)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("audit", "0009_access_log_list_kinds")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="accesslog", index=INDEX)],
            database_operations=[migrations.RunPython(create, drop, elidable=False)],
        )
    ]
