"""API tokens that expire and are stored hashed (django-rest-knox), in place of Django REST
framework's plain-text, never-expiring tokens: their table is dropped, so no token kept in
plain text outlives the change (clients ask for a new token)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token_key", models.CharField(db_index=True, max_length=25)),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("expiry", models.DateTimeField(blank=True, null=True)),
                ("digest", models.CharField(max_length=128, unique=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="auth_token_set",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "API token",
                "ordering": ["-created"],
                "indexes": [
                    models.Index(fields=["user", "expiry"], name="agencies_ap_user_id_ae7e6e_idx")
                ],
            },
        ),
        migrations.RunSQL(
            "DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop
        ),
    ]
