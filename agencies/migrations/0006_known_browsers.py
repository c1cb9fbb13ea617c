import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0005_user_active_role_idx"),
    ]

    operations = [
        migrations.CreateModel(
            name="KnownBrowser",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("digest", models.CharField(max_length=64)),
                ("first_seen_at", models.DateTimeField()),
                ("last_seen_at", models.DateTimeField()),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="known_browsers",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["last_seen_at"], name="agencies_kn_last_se_53ad1b_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "digest"), name="known_browser_once_per_user"
                    )
                ],
            },
        ),
    ]
