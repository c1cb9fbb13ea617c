"""Authenticated encryption of small secrets kept in the database (ASVS 6.2, 8.3.7):
AES-256-GCM from pyca/cryptography (OpenSSL), a fresh random 96-bit nonce for each
encryption, and associated data naming what the secret belongs to, so that a value copied
into another row does not decrypt there.

Keys rotate as Django's SECRET_KEY_FALLBACKS do: the first key encrypts, every key
decrypts (each is tried in turn: only the right one passes GCM's tag), and encrypting
again under the first lets the others be retired.

A value is stored as ``aesgcm1:`` and base64url (unpadded) of nonce, ciphertext and tag.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "aesgcm1:"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


class Undecryptable(Exception):
    """Not a value this module wrote, tampered with, bound to something else, or
    encrypted under none of the keys given."""


def _unbase64(text: str) -> bytes:
    if not _BASE64URL.match(text):
        raise ValueError("not URL-safe base64")
    text = text.rstrip("=")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error:
        raise ValueError("not URL-safe base64") from None


def _base64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def new_key() -> str:
    """A new key as the settings take it: 32 random bytes, URL-safe base64."""
    return _base64(secrets.token_bytes(KEY_BYTES))


def parse_keys(text: str) -> list[bytes]:
    """Comma-separated keys, each 32 bytes in URL-safe base64 (as ``new_key`` or
    ``secrets.token_urlsafe(32)`` make them). ValueError saying which is wrong and why,
    never what it holds."""
    keys = []
    for position, item in enumerate((part.strip() for part in text.split(",")), start=1):
        if not item:
            continue
        try:
            key = _unbase64(item)
        except ValueError:
            raise ValueError(f"key {position} is not URL-safe base64") from None
        if len(key) != KEY_BYTES:
            raise ValueError(f"key {position} is {len(key)} bytes, not {KEY_BYTES}")
        keys.append(key)
    if not keys:
        raise ValueError("no key is given")
    return keys


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX)


def encrypt(plaintext: bytes, *, key: bytes, associated_data: bytes) -> str:
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext, associated_data)
    return PREFIX + _base64(nonce + sealed)


def _open(value: str, *, keys: Sequence[bytes], associated_data: bytes) -> tuple[bytes, int]:
    if not is_encrypted(value):
        raise Undecryptable("not an encrypted value")
    try:
        data = _unbase64(value.removeprefix(PREFIX))
    except ValueError:
        raise Undecryptable("not an encrypted value") from None
    if len(data) < NONCE_BYTES + TAG_BYTES:
        raise Undecryptable("too short to be an encrypted value")
    nonce, sealed = data[:NONCE_BYTES], data[NONCE_BYTES:]
    for index, key in enumerate(keys):
        try:
            return AESGCM(key).decrypt(nonce, sealed, associated_data), index
        except InvalidTag:
            continue
    raise Undecryptable("no key decrypts it: tampered with, or under a key not given")


def decrypt(value: str, *, keys: Sequence[bytes], associated_data: bytes) -> bytes:
    return _open(value, keys=keys, associated_data=associated_data)[0]


def reencrypt(value: str, *, keys: Sequence[bytes], associated_data: bytes) -> str | None:
    """The value encrypted under the first key, or None when it already is."""
    plaintext, index = _open(value, keys=keys, associated_data=associated_data)
    if index == 0:
        return None
    return encrypt(plaintext, key=keys[0], associated_data=associated_data)
