"""The database refuses to change an audit event (audit/triggers.py). RunPython, as each
database writes triggers its own way; the model state is unchanged."""

from django.db import migrations


def add_triggers(apps, schema_editor):
    from audit import triggers

    triggers.install(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    from audit import triggers

    triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_audit_events")]

    operations = [migrations.RunPython(add_triggers, drop_triggers, elidable=False)]
