"""An index on the access log by account, newest first: (user_id, at, id), the order the
auditors' page reads (``-at``, ``-pk``). The account-number filter, which the rate
alerts link to ("account 12" on a day), reads its page and its count from it; without it
every search by account read the whole log (about 14 million rows at national scale,
bench/national.py).

On PostgreSQL it is built with CREATE INDEX CONCURRENTLY (so the migration is not
atomic): the log is written on every page that shows a record, and those writes go on
while it builds. IF NOT EXISTS: an index built by hand beforehand is kept. (A build that
fails half way leaves an invalid index of that name: DROP it and migrate again.) SQLite
builds it as usual (audit.migration_indexes). The append-only triggers (0008) refuse
UPDATE and DELETE only; building an index is neither.
"""

from django.db import migrations, models

from audit.migration_indexes import add_indexes_concurrently

INDEX = models.Index(fields=["user_id", "at", "id"], name="accesslog_user_at_idx")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("audit", "0009_access_log_list_kinds")]

    operations = add_indexes_concurrently("audit.AccessLog", [INDEX])
