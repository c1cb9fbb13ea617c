"""The referral versions' indexes nothing reads by: simple-history's copies of the
foreign keys and the reference (Referral.history, docs/PERFORMANCE.md "The referral
POST, a third cut"). Every version was written with nine index entries for them; the
versions are read by the referral's id and their own.

On PostgreSQL each index goes by DROP INDEX CONCURRENTLY (the versions' table grows with
every change to every referral: no lock that would hold writes up), so the migration is
not atomic; IF EXISTS, for an index already dropped by hand. The indexes are found by
their column (Django named them; the reference has a second, for LIKE). Back: the
indexes are made again as Django makes them.
"""

import copy

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


COLUMNS = [
    "agency_id",
    "assigned_to_id",
    "child_id",
    "recommended_by_id",
    "recorded_by_id",
    "reference",
    "referrer_id",
    "submission_id",
]


def drop_indexes(apps, schema_editor):
    connection = schema_editor.connection
    table = apps.get_model("referrals", "HistoricalReferral")._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    quote = schema_editor.quote_name
    concurrently = "CONCURRENTLY " if connection.vendor == "postgresql" else ""
    for name, about in sorted(constraints.items()):
        if (
            about["index"]
            and not about["unique"]
            and not about["primary_key"]
            and len(about["columns"]) == 1
            and about["columns"][0] in COLUMNS
        ):
            schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {quote(name)}")


def make_indexes(apps, schema_editor):
    model = apps.get_model("referrals", "HistoricalReferral")
    for column in COLUMNS:
        field = next(f for f in model._meta.local_fields if f.column == column)
        unindexed = copy.copy(field)
        unindexed.db_index = False
        schema_editor.alter_field(model, unindexed, field)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("agencies", "0009_forget_axes_sign_in_log"),
        ("referrals", "0012_referral_autovacuum"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    unindexed = [
        migrations.AlterField(
            model_name="historicalreferral",
            name="agency",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="agencies.agency",
            ),
        ),
        migrations.AlterField(
            model_name="historicalreferral",
            name="assigned_to",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="historicalreferral",
            name="child",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="referrals.child",
            ),
        ),
        migrations.AlterField(
            model_name="historicalreferral",
            name="recommended_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="historicalreferral",
            name="recorded_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                help_text="The screener or manager who took a call",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="historicalreferral",
            name="reference",
            field=models.CharField(editable=False, max_length=20),
        ),
        migrations.AlterField(
            model_name="historicalreferral",
            name="referrer",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="historicalreferral",
            name="submission",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="referrals.submission",
            ),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=unindexed,
            database_operations=[migrations.RunPython(drop_indexes, make_indexes, elidable=False)],
        )
    ]
