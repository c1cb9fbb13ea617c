"""Authenticator keys encrypted at rest (ASVS 2.8.2, 8.3.7): what django-otp keeps in
TOTPDevice.key as plain hex, Front Door keeps encrypted with AES-256-GCM (core.encryption)
under FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS, keys that are not the secret key and never in the
database, and bound to the device's owner: a key copied into someone else's device does
not decrypt. agencies.models.Authenticator reads and writes them; the migration that
encrypted the keys already there uses the same functions.

With a PKCS#11 security module configured (settings.PKCS11, core.hsm; ASVS 6.4.2), new
keys are encrypted inside the module instead, under the first of
FRONTDOOR_PKCS11_OTP_KEY_LABEL, with the same binding to the owner; keys encrypted before
under FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS still decrypt, in the application, until
``reencrypt_all`` has moved them into the module. A module that cannot be used raises
core.hsm.ModuleUnavailable: nothing falls back to the application's keys."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import security_module
from core import encryption, hsm
from core.encryption import Undecryptable

__all__ = ["Undecryptable", "decrypt", "encrypt", "is_encrypted", "reencrypt_all"]


def associated_data(user_id: int) -> bytes:
    if user_id is None:
        raise ValueError("an authenticator key is bound to its owner: the device has no user")
    return f"front door authenticator key, user {user_id}".encode()


def is_encrypted(value: str) -> bool:
    """Encrypted, in the application or by the security module (not django-otp's hex)."""
    return encryption.is_encrypted(value) or hsm.is_encrypted(value)


def encrypt(key: bytes, *, user_id: int) -> str:
    module = security_module.get()
    if module is not None:
        value = module.encrypt(
            key,
            label=security_module.otp_key_labels()[0],
            associated_data=associated_data(user_id),
        )
    else:
        value = encryption.encrypt(
            key,
            key=settings.OTP_KEY_ENCRYPTION_KEYS[0],
            associated_data=associated_data(user_id),
        )
    # django-otp's column holds 80 characters: a 20-byte key (django-otp's default, and
    # every key Front Door makes) takes 72 encrypted.
    if len(value) > TOTPDevice._meta.get_field("key").max_length:
        raise ValueError(f"an authenticator key of {len(key)} bytes is too long to keep")
    return value


def decrypt(value: str, *, user_id: int) -> bytes:
    if hsm.is_encrypted(value):
        module = security_module.get()
        if module is None:
            raise Undecryptable("encrypted by a security module, and none is configured")
        return module.decrypt(
            value,
            labels=security_module.otp_key_labels(),
            associated_data=associated_data(user_id),
        )
    return encryption.decrypt(
        value, keys=settings.OTP_KEY_ENCRYPTION_KEYS, associated_data=associated_data(user_id)
    )


def _reencrypt(value: str, *, user_id: int) -> tuple[str | None, bool]:
    """(the value encrypted under the first key, or None when it already is; whether it
    moved from the application's keys into the security module)."""
    module = security_module.get()
    data = associated_data(user_id)
    if module is None:
        if hsm.is_encrypted(value):
            raise Undecryptable("encrypted by a security module, and none is configured")
        return (
            encryption.reencrypt(
                value, keys=settings.OTP_KEY_ENCRYPTION_KEYS, associated_data=data
            ),
            False,
        )
    if hsm.is_encrypted(value):
        return module.reencrypt(
            value, labels=security_module.otp_key_labels(), associated_data=data
        ), False
    key = encryption.decrypt(value, keys=settings.OTP_KEY_ENCRYPTION_KEYS, associated_data=data)
    return encrypt(key, user_id=user_id), True


@dataclass
class Rotation:
    reencrypted: int = 0
    current: int = 0
    # Encrypted under the application's keys, now by the security module (when one is
    # configured).
    into_module: int = 0
    # Kept in plain hex (written past Authenticator, as django-otp's own code would): now
    # encrypted.
    were_plain: int = 0
    undecryptable: list[int] = field(default_factory=list)


def reencrypt_all() -> Rotation:
    """Every device's key encrypted again under the first of the keys (the security
    module's first when one is configured), so that the others can be retired; one
    device at a time, each locked while it changes (a sign-in at the same moment waits
    for it). A key no configured key decrypts is left as it is and
    reported by the device's id."""
    rotation = Rotation()
    for device_id in TOTPDevice.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            device = TOTPDevice.objects.select_for_update().filter(pk=device_id).first()
            if device is None:  # deleted meanwhile
                continue
            if not is_encrypted(device.key):
                key = bytes.fromhex(device.key)
                value = encrypt(key, user_id=device.user_id)
                TOTPDevice.objects.filter(pk=device.pk).update(key=value)
                rotation.were_plain += 1
                continue
            try:
                value, into_module = _reencrypt(device.key, user_id=device.user_id)
            except Undecryptable:
                rotation.undecryptable.append(device.pk)
                continue
            if value is None:
                rotation.current += 1
                continue
            TOTPDevice.objects.filter(pk=device.pk).update(key=value)
            if into_module:
                rotation.into_module += 1
            else:
                rotation.reencrypted += 1
    return rotation
