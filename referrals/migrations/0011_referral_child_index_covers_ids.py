"""A child's referrals through one index that holds their ids, ``referral_child_received_idx``
(child, received_at) INCLUDE (id), in place of two: the foreign key's own index on the
child and the (child, received_at) index (issue 14).

The strategy discussions list of screeners and managers leaves out closed discussions;
past the closed line it asks for every referral of a child with an open referral
(triage.selectors.open_discussions). From the foreign key's index that set took about
0.7 s to build on the national data (45,000 referrals read from the table, for every
page); from this index it is read without the table. The new index is built before the
old ones are dropped, all CONCURRENTLY on PostgreSQL (so the migration is not atomic),
and a child's referrals always have an index.
"""

from django.db import migrations, models

from audit.migration_indexes import add_indexes_concurrently

FOREIGN_KEY_INDEX = "referrals_referral_child_id_361fefc7"
CHILD_RECEIVED_INDEX = "referrals_r_child_i_48c3e2_idx"


def _drop(name):
    def drop(apps, schema_editor):
        how = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
        schema_editor.execute(f"DROP INDEX {how}IF EXISTS {name}")

    return drop


def _create(name, columns):
    def create(apps, schema_editor):
        how = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
        schema_editor.execute(
            f"CREATE INDEX {how}IF NOT EXISTS {name} ON referrals_referral ({columns})"
        )

    return create


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("referrals", "0010_referral_concern_mask"),
    ]

    operations = [
        *add_indexes_concurrently(
            "referrals.Referral",
            [
                models.Index(
                    fields=["child", "received_at"],
                    include=["id"],
                    name="referral_child_received_idx",
                )
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="referral", name=CHILD_RECEIVED_INDEX),
            ],
            database_operations=[
                migrations.RunPython(
                    _drop(CHILD_RECEIVED_INDEX),
                    _create(CHILD_RECEIVED_INDEX, "child_id, received_at"),
                    elidable=False,
                )
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="referral",
                    name="child",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.PROTECT,
                        related_name="referrals",
                        to="referrals.child",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunPython(
                    _drop(FOREIGN_KEY_INDEX),
                    _create(FOREIGN_KEY_INDEX, "child_id"),
                    elidable=False,
                )
            ],
        ),
    ]
