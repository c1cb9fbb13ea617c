"""Authenticated encryption by a PKCS#11 security module (ASVS 6.4.2): a hardware security
module, a cloud HSM or a vault with a PKCS#11 library, or SoftHSM2 (tests, CI, the
demo). The keys are AES-256 key objects generated inside the module, sensitive and not
extractable: the application holds a session and asks the module to encrypt and decrypt
with CKM_AES_GCM; it never sees a key.

Keys rotate as core.encryption's do, by label: the first label encrypts, every label
decrypts. A value is stored as ``p11gcm1:<key id>:`` and base64url (unpadded) of nonce,
ciphertext and tag, where the key id is six characters derived from the key's label
(``key_id``), so that a value says which key made it without naming it and still fits
django-otp's 80-character column (a 20-byte secret takes 79). The nonce is 96 random bits
from the operating system, as core.encryption's; the associated data binds the value to
what it belongs to, as there.

The session with the token (one per process, opened again after fork(), serialised by a
lock, opened again once when the module dropped it) is core.hsm_session's TokenSession,
which SecurityModule extends with the key operations.

Errors that mean the module cannot be used raise ``ModuleUnavailable`` with a message that
names the FRONTDOOR_PKCS11_* setting to look at, and never its value; callers must not
fall back to keys held in the application. A value this module cannot open (tampered
with, bound to something else, under a key not listed) raises core.encryption's
``Undecryptable``, as the in-application keys do.

This module imports python-pkcs11 only when it is used, so that the application runs
without it when no module is configured.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from core.encryption import Undecryptable, _base64, _unbase64

# Config and ModuleUnavailable are imported from here by the callers (agencies, wsgi).
from core.hsm_session import Config as Config
from core.hsm_session import ModuleUnavailable, TokenSession, cause

PREFIX = "p11gcm1:"
KEY_BITS = 256
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_ID_CHARS = 6


@dataclass(frozen=True)
class Kind:
    """What a key is for: its PKCS#11 key type, what it may do, and the setting that
    names it (for messages)."""

    name: str
    key_type_name: str
    usage_names: tuple[str, ...]
    purpose: str
    setting: str

    def key_type(self):
        from pkcs11 import KeyType

        return KeyType[self.key_type_name]

    def usage(self) -> tuple[str, ...]:
        return self.usage_names


_USAGES = ("ENCRYPT", "DECRYPT", "SIGN", "VERIFY", "WRAP", "UNWRAP", "DERIVE")
ENCRYPTION = Kind(
    "AES", "AES", ("ENCRYPT", "DECRYPT"), "encrypt and decrypt", "FRONTDOOR_PKCS11_OTP_KEY_LABEL"
)
HMAC = Kind(
    "HMAC",
    "GENERIC_SECRET",
    ("SIGN", "VERIFY"),
    "sign and verify",
    "FRONTDOOR_PKCS11_PEPPER_KEY_LABEL",
)


def key_id(label: str) -> str:
    """Six URL-safe characters naming a key by its label in a stored value (36 bits: two
    labels configured at once that share one are refused by ``check_labels``)."""
    digest = hashlib.sha256(b"front door pkcs11 key " + label.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:KEY_ID_CHARS]


def check_labels(labels: Sequence[str]) -> str | None:
    """What is wrong with a list of key labels, or None."""
    if not labels:
        return "no key label is given"
    if len(set(labels)) != len(labels):
        return "a key label is listed twice"
    if len({key_id(label) for label in labels}) != len(labels):
        return "two key labels share a key id: rename one"
    return None


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX)


def _split(value: str) -> tuple[str, bytes, bytes]:
    """(key id, nonce, ciphertext and tag) of a stored value, or Undecryptable."""
    if not is_encrypted(value):
        raise Undecryptable("not a value the security module encrypted")
    identifier, _, encoded = value.removeprefix(PREFIX).partition(":")
    if len(identifier) != KEY_ID_CHARS:
        raise Undecryptable("not a value the security module encrypted")
    try:
        data = _unbase64(encoded)
    except ValueError:
        raise Undecryptable("not a value the security module encrypted") from None
    if len(data) < NONCE_BYTES + TAG_BYTES:
        raise Undecryptable("too short to be an encrypted value")
    return identifier, data[:NONCE_BYTES], data[NONCE_BYTES:]


class SecurityModule(TokenSession):
    """A token in a PKCS#11 module, and the AES keys in it named by label."""

    # --- Keys -------------------------------------------------------------------------

    def _key(self, session, label: str, kind: Kind | None = None):
        from pkcs11 import ObjectClass
        from pkcs11 import exceptions as e

        kind = kind or ENCRYPTION
        key = self._token.keys.get((kind.name, label))
        if key is not None:
            return key
        try:
            key = session.get_key(
                object_class=ObjectClass.SECRET_KEY, key_type=kind.key_type(), label=label
            )
        except e.NoSuchKey:
            raise ModuleUnavailable(
                f"{kind.setting} names a key the token does not hold: "
                f"{label!r} (manage.py create_pkcs11_keys makes it)."
            ) from None
        except e.MultipleObjectsReturned:
            raise ModuleUnavailable(
                f"{kind.setting}: the token holds more than one {kind.name} key labelled {label!r}."
            ) from None
        problem = _key_problem(key, kind)
        if problem:
            raise ModuleUnavailable(f"{kind.setting}: the key labelled {label!r} {problem}.")
        self._token.keys[(kind.name, label)] = key
        return key

    def check(self, labels: Sequence[str], kind: Kind | None = None) -> None:
        """Open the session, find every key and use each once (a round trip through
        CKM_AES_GCM, or an HMAC), as at start-up; ModuleUnavailable naming the setting
        when something is wrong."""
        kind = kind or ENCRYPTION
        self._run(lambda session: [self._key(session, label, kind) for label in labels])
        for label in labels:
            if kind is HMAC:
                self.hmac_sha256(b"front door pkcs11 probe", label=label)
            elif not self._key_works(label):
                raise ModuleUnavailable(
                    f"{kind.setting}: the key labelled {label!r} does not encrypt and decrypt "
                    f"with CKM_AES_GCM and a 96-bit nonce given by Front Door (see "
                    f"docs/DEPLOYMENT.md on FIPS modes)."
                )

    def create_key(self, label: str, kind: Kind | None = None) -> bool:
        """Generate a 256-bit key of the kind (AES for encryption by default) labelled
        ``label`` inside the token, sensitive and not extractable, unless one is there
        already: True if it made one."""
        from pkcs11 import Attribute, ObjectClass
        from pkcs11 import exceptions as e

        kind = kind or ENCRYPTION

        def create(session):
            try:
                existing = session.get_key(
                    object_class=ObjectClass.SECRET_KEY, key_type=kind.key_type(), label=label
                )
            except e.NoSuchKey:
                existing = None
            except e.MultipleObjectsReturned:
                raise ModuleUnavailable(
                    f"{kind.setting}: the token holds more than one {kind.name} key "
                    f"labelled {label!r}"
                ) from None
            if existing is not None:
                problem = _key_problem(existing, kind)
                if problem:
                    raise ModuleUnavailable(f"{kind.setting}: the key labelled {label!r} {problem}")
                return False
            usage = {attribute: False for attribute in _USAGES}
            usage.update(dict.fromkeys(kind.usage(), True))
            session.generate_key(
                kind.key_type(),
                KEY_BITS,
                label=label,
                id=key_id(label).encode(),
                store=True,
                template={
                    Attribute.TOKEN: True,
                    Attribute.PRIVATE: True,
                    Attribute.SENSITIVE: True,
                    Attribute.EXTRACTABLE: False,
                    Attribute.MODIFIABLE: False,
                    **{Attribute[name]: value for name, value in usage.items()},
                },
            )
            return True

        try:
            return self._run(create)
        except ModuleUnavailable:
            raise
        except Exception as exc:
            raise ModuleUnavailable(
                f"{kind.setting}: the token refused to make the key labelled {label!r}: "
                f"{cause(exc)}"
            ) from None

    # --- Keyed hashing ----------------------------------------------------------------

    def hmac_sha256(self, data: bytes, *, label: str) -> bytes:
        """HMAC-SHA256 of ``data`` under the generic secret key labelled ``label``,
        computed inside the module (CKM_SHA256_HMAC)."""
        from pkcs11 import Mechanism
        from pkcs11.exceptions import PKCS11Error

        try:
            mac = self._run(
                lambda session: self._key(session, label, HMAC).sign(
                    data, mechanism=Mechanism.SHA256_HMAC
                )
            )
        except PKCS11Error as exc:
            raise ModuleUnavailable(
                f"The security module (FRONTDOOR_PKCS11_MODULE) failed to compute an HMAC: "
                f"{cause(exc)}."
            ) from None
        return bytes(mac)

    # --- Encryption -------------------------------------------------------------------

    def encrypt(self, plaintext: bytes, *, label: str, associated_data: bytes) -> str:
        from pkcs11 import Mechanism
        from pkcs11.exceptions import PKCS11Error
        from pkcs11.mechanisms import GCMParams

        nonce = secrets.token_bytes(NONCE_BYTES)
        params = GCMParams(nonce, associated_data, TAG_BYTES * 8)
        try:
            sealed = self._run(
                lambda session: self._key(session, label).encrypt(
                    plaintext, mechanism=Mechanism.AES_GCM, mechanism_param=params
                )
            )
        except PKCS11Error as exc:
            raise ModuleUnavailable(
                f"The security module (FRONTDOOR_PKCS11_MODULE) failed to encrypt: {cause(exc)}."
            ) from None
        return f"{PREFIX}{key_id(label)}:{_base64(nonce + bytes(sealed))}"

    def _open_value(
        self, value: str, *, labels: Sequence[str], associated_data: bytes, probing: bool = False
    ) -> tuple[bytes, int]:
        from pkcs11 import Mechanism
        from pkcs11 import exceptions as e
        from pkcs11.mechanisms import GCMParams

        identifier, nonce, sealed = _split(value)
        position = next(
            (index for index, label in enumerate(labels) if key_id(label) == identifier), None
        )
        if position is None:
            raise Undecryptable("encrypted under a key whose label is not configured")
        params = GCMParams(nonce, associated_data, TAG_BYTES * 8)
        try:
            plaintext = self._run(
                lambda session: self._key(session, labels[position]).decrypt(
                    sealed, mechanism=Mechanism.AES_GCM, mechanism_param=params
                )
            )
        except (e.EncryptedDataInvalid, e.EncryptedDataLenRange, e.DataInvalid):
            # GCM's tag did not match: changed, or bound to something else.
            raise Undecryptable(
                "the tag does not match: tampered with or bound elsewhere"
            ) from None
        except (e.GeneralError, e.FunctionFailed) as exc:
            # Some modules (SoftHSM2 among them) report a tag that does not match as a
            # general failure: the value is to blame only if the key still works.
            if not probing and self._key_works(labels[position]):
                raise Undecryptable(
                    "the tag does not match: tampered with or bound elsewhere"
                ) from None
            raise ModuleUnavailable(
                f"The security module (FRONTDOOR_PKCS11_MODULE) failed to decrypt: {cause(exc)}."
            ) from None
        except e.PKCS11Error as exc:
            raise ModuleUnavailable(
                f"The security module (FRONTDOOR_PKCS11_MODULE) failed to decrypt: {cause(exc)}."
            ) from None
        return bytes(plaintext), position

    def _key_works(self, label: str) -> bool:
        probe = b"front door pkcs11 probe"
        try:
            value = self.encrypt(probe, label=label, associated_data=probe)
            opened = self._open_value(value, labels=[label], associated_data=probe, probing=True)
            return opened[0] == probe
        except (ModuleUnavailable, Undecryptable):
            return False

    def decrypt(self, value: str, *, labels: Sequence[str], associated_data: bytes) -> bytes:
        return self._open_value(value, labels=labels, associated_data=associated_data)[0]

    def reencrypt(self, value: str, *, labels: Sequence[str], associated_data: bytes) -> str | None:
        """The value encrypted under the first label's key, or None when it already is."""
        plaintext, position = self._open_value(
            value, labels=labels, associated_data=associated_data
        )
        if position == 0:
            return None
        return self.encrypt(plaintext, label=labels[0], associated_data=associated_data)


def _key_problem(key, kind: Kind) -> str | None:
    """Why a key object may not be used, or None: it must be a 256-bit key of the kind
    that the module keeps to itself."""
    from pkcs11 import Attribute
    from pkcs11.exceptions import PKCS11Error

    try:
        sensitive = key[Attribute.SENSITIVE]
        extractable = key[Attribute.EXTRACTABLE]
        length = key[Attribute.VALUE_LEN]
        can = all(key[Attribute[name]] for name in kind.usage())
    except PKCS11Error as exc:
        return f"cannot be inspected ({cause(exc)})"
    if not sensitive or extractable:
        return "is not sensitive and non-extractable: make a new one inside the module"
    if length != KEY_BITS // 8:
        return f"is {length * 8} bits, not {KEY_BITS}"
    if not can:
        return f"may not {kind.purpose}"
    return None
