"""The database refuses to change or remove a row of any history table
(oversight/triggers.py). It runs after the migrations that made the history tables;
a history table added later is covered when ``migrate`` finishes (oversight.apps)."""

from django.db import migrations


def add_triggers(apps, schema_editor):
    from oversight import triggers

    triggers.install(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    from oversight import triggers

    triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
        ("audit", "0008_access_log_kept_as_written"),
        ("referrals", "0003_coaching_three_houses_pattern_and_diversity_asked"),
        ("triage", "0009_minutes_to_family_index"),
    ]

    operations = [migrations.RunPython(add_triggers, drop_triggers, elidable=False)]
