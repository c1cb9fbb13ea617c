"""Each referral's concern categories as bits, ``Referral.concern_mask``, and the open
referrals' index in the queue's order with them, ``referral_queue_idx`` (issue 14): the
queue's concern filter counts and pages its referrals from that index alone, where it
probed the concerns table once for every open referral (10,000 probes a page at national
scale, most of the page's PostgreSQL time). It replaces ``referral_queue_order_idx`` (the
same order without the bits), which is dropped once the new one is built.

The column is added null (no rewrite, no scan); the open referrals' masks are filled in
from their concerns (the queue reads no other); decided referrals keep null, which the
filter never relies on (it reads the concerns of a referral whose mask is null). The
index is built, and the old one dropped, CONCURRENTLY (audit.migration_indexes), so
the migration is not atomic: the queue always has one of the two.
The bits are frozen here as they were (census.CONCERN_BITS must never renumber them).
"""

from django.db import migrations, models

from audit.migration_indexes import add_indexes_concurrently

OLD_INDEX = models.Index(
    fields=["-immediate_risk", "decision_due_at", "id"],
    condition=~models.Q(status="decided"),
    name="referral_queue_order_idx",
)

BITS = {
    "neglect": 1 << 0,
    "physical_abuse": 1 << 1,
    "sexual_abuse": 1 << 2,
    "emotional_abuse": 1 << 3,
    "domestic_abuse": 1 << 4,
    "parental_alcohol_misuse": 1 << 5,
    "parental_drug_misuse": 1 << 6,
    "parental_mental_health": 1 << 7,
    "child_sexual_exploitation": 1 << 8,
    "child_criminal_exploitation": 1 << 9,
    "going_missing": 1 << 10,
    "self_harm": 1 << 11,
    "female_genital_mutilation": 1 << 12,
    "faith_or_belief": 1 << 13,
    "radicalisation": 1 << 14,
    "other": 1 << 15,
}


def fill_open_masks(apps, schema_editor):
    """The masks of the referrals not yet decided, from their concerns (a referral holds
    each category once, so the sum of the bits is their union)."""
    cases = " ".join(f"WHEN '{category}' THEN {bit}" for category, bit in BITS.items())
    schema_editor.execute(
        "UPDATE referrals_referral SET concern_mask = COALESCE(("  # noqa: S608 - fixed SQL
        f"SELECT SUM(CASE c.category {cases} ELSE 0 END) FROM referrals_referralconcern c "
        "WHERE c.referral_id = referrals_referral.id), 0) "
        "WHERE status <> 'decided' AND concern_mask IS NULL"
    )


def drop_old_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {OLD_INDEX.name}")
    else:
        schema_editor.remove_index(apps.get_model("referrals", "Referral"), OLD_INDEX)


def create_old_index(apps, schema_editor):
    model = apps.get_model("referrals", "Referral")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(model, OLD_INDEX, concurrently=True)
    else:
        schema_editor.add_index(model, OLD_INDEX)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("referrals", "0009_child_date_of_birth_index_covers_matching"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalreferral",
            name="concern_mask",
            field=models.IntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="referral",
            name="concern_mask",
            field=models.IntegerField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_open_masks, migrations.RunPython.noop, elidable=False),
        *add_indexes_concurrently(
            "referrals.Referral",
            [
                models.Index(
                    fields=["-immediate_risk", "decision_due_at", "id", "concern_mask"],
                    condition=~models.Q(status="decided"),
                    name="referral_queue_idx",
                )
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="referral", name=OLD_INDEX.name),
            ],
            database_operations=[
                migrations.RunPython(drop_old_index, create_old_index, elidable=False)
            ],
        ),
    ]
