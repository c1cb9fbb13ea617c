"""django-axes no longer logs successful sign-ins (AXES_DISABLE_ACCESS_LOG: each held the
username, the address and the whole user agent string, and nothing deleted them; the
security log records sign-ins by user id and address). This deletes the ones it kept."""

from django.db import migrations


def forget(apps, schema_editor):
    apps.get_model("axes", "AccessLog").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0008_user_must_change_password"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop, elidable=True)]
