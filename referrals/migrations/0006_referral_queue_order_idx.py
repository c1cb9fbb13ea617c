"""The queue's order over open referrals only: ``referral_queue_order_idx``.

On PostgreSQL the index is built with CREATE INDEX CONCURRENTLY (so the migration is not
atomic), which does not block writes to referrals_referral while it reads the table;
elsewhere (SQLite, the embedded mode) it is an ordinary CREATE INDEX.
"""

from django.db import migrations, models

INDEX = models.Index(
    fields=["-immediate_risk", "decision_due_at", "id"],
    condition=~models.Q(status="decided"),
    name="referral_queue_order_idx",
)


def create_index(apps, schema_editor):
    model = apps.get_model("referrals", "Referral")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(model, INDEX, concurrently=True)
    else:
        schema_editor.add_index(model, INDEX)


def drop_index(apps, schema_editor):
    model = apps.get_model("referrals", "Referral")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(model, INDEX, concurrently=True)
    else:
        schema_editor.remove_index(model, INDEX)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("referrals", "0005_child_date_of_birth_covering_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="referral", index=INDEX)],
            database_operations=[migrations.RunPython(create_index, drop_index)],
        ),
    ]
