"""Triggers that keep a referral's "decided" status and its Decision row in step (see
triage/triggers.py).

On PostgreSQL this migration creates them. On SQLite triage.apps creates them after every
migrate instead, and drops them before: SQLite rebuilds a table for most field changes,
and cannot put the rebuilt referrals_referral in place while a trigger on triage_decision
names it, so a later migration in the same run would fail."""

from django.db import migrations


def install(apps, schema_editor):
    from triage import triggers

    if schema_editor.connection.vendor != "sqlite":
        triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from triage import triggers

    triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0002_default_thresholds_and_support"),
        ("referrals", "0002_child_name_trigram_indexes"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
