"""Partial indexes on the open referrals for the referral lists (issue 14): the children
with something open (the closed-record filter of a screener's or a manager's list) and
each referrer's and agency's open referrals newest first (My referrals' clock filters).

On PostgreSQL each is built with CREATE INDEX CONCURRENTLY (so the migration is not
atomic): writes to referrals go on while it builds. Each reads the table once but holds
only the open referrals. IF NOT EXISTS: an index built by hand beforehand is kept. (A
build that fails half way leaves an invalid index of that name: DROP it and migrate
again.) SQLite builds them as usual.
"""

from django.db import migrations, models

INDEXES = [
    models.Index(
        fields=["referrer", "received_at"],
        condition=~models.Q(status="decided"),
        name="referral_open_referrer_idx",
    ),
    models.Index(
        fields=["agency", "received_at"],
        condition=~models.Q(status="decided"),
        name="referral_open_agency_idx",
    ),
    models.Index(
        fields=["child"],
        condition=~models.Q(status="decided"),
        name="referral_open_child_idx",
    ),
]


def create(apps, schema_editor):
    model = apps.get_model("referrals", "Referral")
    for index in INDEXES:
        if schema_editor.connection.vendor == "postgresql":
            sql = str(index.create_sql(model, schema_editor, concurrently=True))
            schema_editor.execute(
                sql.replace("INDEX CONCURRENTLY", "INDEX CONCURRENTLY IF NOT EXISTS", 1)
            )
        else:
            schema_editor.add_index(model, index)


def drop(apps, schema_editor):
    model = apps.get_model("referrals", "Referral")
    for index in INDEXES:
        schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("referrals", "0006_referral_queue_order_idx")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(model_name="referral", index=index) for index in INDEXES
            ],
            database_operations=[migrations.RunPython(create, drop, elidable=False)],
        )
    ]
