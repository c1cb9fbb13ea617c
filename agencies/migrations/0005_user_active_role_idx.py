"""Active users by role in name order, ``user_active_role_idx`` (issue 14): the queue's
"Allocated to" list (policy.allocatable_users) read on every queue page went through every
user (12,000 at national scale, nearly all referrers) to find the sixty who screen. The
users table is small and seldom written, so an ordinary CREATE INDEX."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0004_browser_sessions"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="user",
            index=models.Index(
                condition=models.Q(("is_active", True)),
                fields=["role", "first_name", "last_name"],
                name="user_active_role_idx",
            ),
        ),
    ]
