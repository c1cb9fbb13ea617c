"""Authenticator keys encrypted at rest (agencies.otp_keys): the proxy every device is
used through, and the keys already in django-otp's table encrypted under the first of
FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS (which migrate therefore needs, as the app does).
Reversed, they are decrypted back to django-otp's plain hex."""

from django.db import migrations

from agencies import otp_keys
from core import encryption


def encrypt_keys(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    devices = TOTPDevice.objects.using(schema_editor.connection.alias)
    for device in devices.exclude(key__startswith=encryption.PREFIX).order_by("pk"):
        value = otp_keys.encrypt(bytes.fromhex(device.key), user_id=device.user_id)
        devices.filter(pk=device.pk).update(key=value)


def decrypt_keys(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    devices = TOTPDevice.objects.using(schema_editor.connection.alias)
    for device in devices.filter(key__startswith=encryption.PREFIX).order_by("pk"):
        key = otp_keys.decrypt(device.key, user_id=device.user_id)
        devices.filter(pk=device.pk).update(key=key.hex())


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_api_tokens"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [
        migrations.CreateModel(
            name="Authenticator",
            fields=[],
            options={
                "verbose_name": "authenticator app",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("otp_totp.totpdevice",),
        ),
        migrations.RunPython(encrypt_keys, decrypt_keys),
    ]
