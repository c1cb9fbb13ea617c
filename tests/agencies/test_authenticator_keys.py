"""Authenticator keys are encrypted at rest (agencies.otp_keys, core.encryption; ASVS
2.8.2, 8.3.7): AES-256-GCM under FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS, bound to the owner,
rotated by `manage.py reencrypt_otp_keys`."""

import base64
import importlib
import logging

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import twostep
from agencies.models import Authenticator, Role
from core import encryption
from core.encryption import Undecryptable
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory, current_code

pytestmark = pytest.mark.django_db

OLD = b"old-key-for-tests-0123456789abcd"
NEW = b"new-key-for-tests-0123456789abcd"
OTHER = b"other-key-for-tests-0123456789ab"
VERIFY = "/accounts/two-step/verify/"


@pytest.fixture
def clock():
    with time_machine.travel("2026-11-27 09:00:00+00:00", tick=False) as traveller:
        yield traveller


def stored_key(device) -> str:
    """The key column as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM otp_totp_totpdevice WHERE id = %s", [device.pk])
        return cursor.fetchone()[0]


def test_the_database_holds_the_key_encrypted_never_in_hex_or_base32(client):
    manager = UserFactory(username="ruth", role=Role.MANAGER)
    device = twostep.pending_device(manager)  # as the set-up page makes it
    key = device.bin_key
    enrolment = twostep.enrolment_for(device)

    column = stored_key(device)

    assert len(key) == 20
    assert column.startswith("aesgcm1:") and len(column) <= 80
    assert key.hex() not in column.lower()
    assert enrolment.manual_key.replace(" ", "") not in column
    assert base64.b32encode(key).decode().rstrip("=") in enrolment.manual_key.replace(" ", "")


def test_two_devices_with_the_same_key_are_stored_differently():
    key = bytes(range(20))
    first = TOTPDeviceFactory(key=key.hex())
    second = TOTPDeviceFactory(key=key.hex(), user=first.user)

    assert stored_key(first) != stored_key(second)  # a fresh nonce each time
    assert first.bin_key == second.bin_key == key


def test_a_code_from_the_app_verifies_against_the_encrypted_key(client, clock, settings):
    settings.MFA_REQUIRED = True
    device = TOTPDeviceFactory(user__username="ruth")
    client.post("/accounts/login/", {"username": "ruth", "password": PASSWORD})

    response = client.post(VERIFY, {"code": current_code(device)})

    assert response.status_code == 302 and response["Location"] == "/"
    assert stored_key(device).startswith("aesgcm1:")  # verifying saves the device again


def test_a_tampered_key_is_refused_and_no_code_is_accepted(client, clock, settings, caplog):
    settings.MFA_REQUIRED = True
    device = TOTPDeviceFactory(user__username="ruth")
    code = current_code(device)
    column = stored_key(device)
    # One bit of the ciphertext flipped, as someone changing the database would.
    data = bytearray(base64.urlsafe_b64decode(column.removeprefix("aesgcm1:") + "=="))
    data[20] ^= 1
    tampered = "aesgcm1:" + base64.urlsafe_b64encode(bytes(data)).decode().rstrip("=")
    TOTPDevice.objects.filter(pk=device.pk).update(key=tampered)
    client.post("/accounts/login/", {"username": "ruth", "password": PASSWORD})

    with pytest.raises(Undecryptable):
        Authenticator.objects.get(pk=device.pk).bin_key  # noqa: B018
    with caplog.at_level(logging.WARNING, logger="frontdoor.security"):
        response = client.post(VERIFY, {"code": code})

    assert response.status_code == 200
    assert "Ask your administrator to reset" in response.content.decode()
    assert f"two-step verification key-undecryptable: user={device.user_id}" in caplog.text
    assert client.get("/")["Location"].startswith(VERIFY)  # still not past the second step


def test_a_key_copied_into_another_persons_device_does_not_decrypt():
    mine = TOTPDeviceFactory(user__username="mallory")
    theirs = TOTPDeviceFactory(user__username="ruth")

    TOTPDevice.objects.filter(pk=theirs.pk).update(key=stored_key(mine))

    with pytest.raises(Undecryptable):
        Authenticator.objects.get(pk=theirs.pk).bin_key  # noqa: B018


def test_django_otps_own_class_cannot_use_an_encrypted_key():
    """Anything reading the table past Authenticator fails instead of checking a code
    against the wrong key."""
    device = TOTPDeviceFactory()

    with pytest.raises(ValueError):
        TOTPDevice.objects.get(pk=device.pk).verify_token("123456")


def test_a_key_encrypted_under_a_key_not_configured_does_not_decrypt(settings):
    settings.OTP_KEY_ENCRYPTION_KEYS = [OLD]
    device = TOTPDeviceFactory()
    settings.OTP_KEY_ENCRYPTION_KEYS = [NEW]

    with pytest.raises(Undecryptable):
        Authenticator.objects.get(pk=device.pk).bin_key  # noqa: B018


# --- Rotation ----------------------------------------------------------------------------


def test_rotation_old_keys_still_decrypt_and_the_command_moves_every_key_to_the_new_one(
    settings, capsys
):
    settings.OTP_KEY_ENCRYPTION_KEYS = [OLD]
    devices = [TOTPDeviceFactory(), TOTPDeviceFactory()]
    keys = [device.bin_key for device in devices]
    before = [stored_key(device) for device in devices]
    settings.OTP_KEY_ENCRYPTION_KEYS = [NEW, OLD]
    assert [Authenticator.objects.get(pk=d.pk).bin_key for d in devices] == keys

    call_command("reencrypt_otp_keys")
    again = capsys.readouterr().out
    call_command("reencrypt_otp_keys")

    assert "2 encrypted again under the first key, 0 already under it" in again
    assert "0 encrypted again under the first key, 2 already under it" in capsys.readouterr().out
    assert [stored_key(device) for device in devices] != before
    settings.OTP_KEY_ENCRYPTION_KEYS = [NEW]  # the old key retired
    assert [Authenticator.objects.get(pk=d.pk).bin_key for d in devices] == keys


def test_rotation_names_a_device_no_key_decrypts_and_moves_the_others(settings, capsys):
    settings.OTP_KEY_ENCRYPTION_KEYS = [OTHER]
    lost = TOTPDeviceFactory()
    settings.OTP_KEY_ENCRYPTION_KEYS = [OLD]
    kept = TOTPDeviceFactory()
    key = kept.bin_key
    settings.OTP_KEY_ENCRYPTION_KEYS = [NEW, OLD]

    with pytest.raises(CommandError, match=f"device {lost.pk} "):
        call_command("reencrypt_otp_keys")

    assert "1 encrypted again under the first key" in capsys.readouterr().out
    settings.OTP_KEY_ENCRYPTION_KEYS = [NEW]
    assert Authenticator.objects.get(pk=kept.pk).bin_key == key


def test_rotation_encrypts_a_key_left_in_plain_hex(capsys):
    device = TOTPDeviceFactory()
    key = device.bin_key
    TOTPDevice.objects.filter(pk=device.pk).update(key=key.hex())

    call_command("reencrypt_otp_keys")

    assert "1 found in plain hex and encrypted" in capsys.readouterr().out
    assert stored_key(device).startswith("aesgcm1:")
    assert Authenticator.objects.get(pk=device.pk).bin_key == key


# --- The migration -------------------------------------------------------------------------


def test_the_migration_encrypts_the_keys_already_there_and_its_reverse_decrypts_them():
    migration = importlib.import_module("agencies.migrations.0003_authenticator_keys_encrypted")
    user = UserFactory(role=Role.MANAGER)
    key = bytes(range(20))
    # As django-otp kept it before: plain hex, written past Authenticator.
    device = TOTPDevice.objects.create(user=user, name="app", key=key.hex(), confirmed=True)

    migration.encrypt_keys(apps, connection.schema_editor())
    encrypted = stored_key(device)
    migration.encrypt_keys(apps, connection.schema_editor())  # a second run changes nothing

    assert encrypted.startswith("aesgcm1:") and key.hex() not in encrypted
    assert stored_key(device) == encrypted
    assert Authenticator.objects.get(pk=device.pk).bin_key == key
    code = f"{totp(key):06d}"
    assert Authenticator.objects.get(pk=device.pk).verify_token(code)

    migration.decrypt_keys(apps, connection.schema_editor())

    assert stored_key(device) == key.hex()


# --- The encryption itself -----------------------------------------------------------------


def test_a_value_decrypts_only_with_the_same_associated_data():
    value = encryption.encrypt(b"secret", key=OLD, associated_data=b"user 1")

    assert encryption.decrypt(value, keys=[NEW, OLD], associated_data=b"user 1") == b"secret"
    with pytest.raises(Undecryptable):
        encryption.decrypt(value, keys=[OLD], associated_data=b"user 2")


@pytest.mark.parametrize("value", ["", "0123abcd" * 5, "aesgcm1:", "aesgcm1:%%%", "aesgcm1:AAAA"])
def test_what_is_not_an_encrypted_value_is_refused(value):
    with pytest.raises(Undecryptable):
        encryption.decrypt(value, keys=[OLD], associated_data=b"user 1")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no key is given"),
        ("not base64!", "key 1 is not URL-safe base64"),
        (f"{encryption.new_key()},c2hvcnQ", "key 2 is 5 bytes, not 32"),
    ],
    # Named, not by the values: a key made at random would name the test differently in
    # each pytest-xdist worker, and the workers must collect the same tests.
    ids=["no-key", "not-base64", "second-key-too-short"],
)
def test_keys_that_cannot_be_used_are_named_by_position_never_by_value(text, message):
    with pytest.raises(ValueError, match=message):
        encryption.parse_keys(text)


def test_keys_are_read_with_or_without_padding():
    padded = base64.urlsafe_b64encode(NEW).decode()
    unpadded = padded.rstrip("=")

    assert encryption.parse_keys(f"{unpadded}, {padded}") == [NEW, NEW]
    assert len(encryption.parse_keys(encryption.new_key())[0]) == 32


def test_a_pending_key_no_configured_key_decrypts_starts_the_set_up_again(settings, client):
    """A device waiting to be confirmed whose key was encrypted under a key since removed:
    the set-up page makes a new one (it was never confirmed) rather than failing."""
    manager = UserFactory(username="ruth", role=Role.MANAGER)
    settings.OTP_KEY_ENCRYPTION_KEYS = [OLD]
    stale = twostep.pending_device(manager)
    settings.OTP_KEY_ENCRYPTION_KEYS = [NEW]

    client.force_login(manager)
    response = client.get("/accounts/two-step/")

    assert response.status_code == 200
    [device] = Authenticator.objects.filter(user=manager)
    assert device.pk != stale.pk and not device.confirmed
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    assert key[:4] in response.content.decode()
