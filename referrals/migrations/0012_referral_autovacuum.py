"""Autovacuum for the referrals table by the number of changed rows, with its indexes
(issue 14; docs/PERFORMANCE.md, "Keeping the queue's index-only reads (autovacuum)").

The queue's count, pages and concern filter read the open referrals' partial indexes
alone (``referral_queue_idx`` and the others on open referrals) and skip the table only
for pages the visibility map marks all-visible; every update of a referral clears that
for its old and new page, and only a vacuum sets it again. By default autovacuum waits
for a fifth of the table to be dead rows (a million at 5,000,000 referrals, months of
screening), and a vacuum that finds dead rows on under 2% of the table's pages skips the
indexes and so leaves those pages not all-visible: a few thousand screening steps and
the queue's count read the table for nearly every open referral (9,500 of 10,000).

So, for this table only: vacuum after 200 updated (or 200 inserted) rows whatever the
table's size, and always vacuum the indexes (``vacuum_index_cleanup = on``: a full pass
over each of its indexes, each time). PostgreSQL only: the reloptions mean nothing to
SQLite. ``ALTER TABLE`` needs the table's owner, the role that runs ``migrate``.
"""

from django.db import migrations

SETTINGS = {
    "autovacuum_vacuum_scale_factor": "0",
    "autovacuum_vacuum_threshold": "200",
    "autovacuum_vacuum_insert_scale_factor": "0",
    "autovacuum_vacuum_insert_threshold": "200",
    "vacuum_index_cleanup": "on",
}


def set_options(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        options = ", ".join(f"{name} = {value}" for name, value in SETTINGS.items())
        schema_editor.execute(f"ALTER TABLE referrals_referral SET ({options})")


def reset_options(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE referrals_referral RESET ({', '.join(SETTINGS)})")


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0011_referral_child_index_covers_ids"),
    ]

    operations = [
        migrations.RunPython(set_options, reset_options, elidable=False),
    ]
