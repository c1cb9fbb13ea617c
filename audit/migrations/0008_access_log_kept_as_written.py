"""The database refuses to change or remove a row of the access log, as it does an audit
event (audit/triggers.py). RunPython, as each database writes triggers its own way; the
model state is unchanged."""

from django.db import migrations


def add_trigger(apps, schema_editor):
    from audit import triggers

    triggers.keep_as_written(schema_editor.connection, [triggers.ACCESS_LOG_TABLE])


def drop_trigger(apps, schema_editor):
    from audit import triggers

    triggers.release(schema_editor.connection, [triggers.ACCESS_LOG_TABLE])


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_child_unlinked_event")]

    operations = [migrations.RunPython(add_trigger, drop_trigger, elidable=False)]
