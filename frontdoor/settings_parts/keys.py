"""The keys that protect what is stored: a PKCS#11 security module when one is
configured, the password pepper, and the keys the authenticator keys are encrypted under."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from core import encryption, hsm
from frontdoor.env import env_int, env_list, env_str
from frontdoor.settings_parts.base import (
    PRODUCTION,
    SECRET_KEY,
    SECRET_KEY_FALLBACKS,
    _generated_secret,
    _weak_secret,
)

# --- A PKCS#11 security module for the authenticator keys and the pepper (ASVS 6.4.2) --

# Off unless set (docs/DEPLOYMENT.md, "A hardware security module"). When
# FRONTDOOR_PKCS11_MODULE (the path of the module's PKCS#11 library, the .so),
# FRONTDOOR_PKCS11_TOKEN_LABEL, FRONTDOOR_PKCS11_PIN (the token's user PIN; better
# FRONTDOOR_PKCS11_PIN_FILE, a file holding it) and FRONTDOOR_PKCS11_OTP_KEY_LABEL are
# set, authenticator keys are encrypted and decrypted inside the module (core.hsm,
# CKM_AES_GCM) under AES-256 key objects found by label, which never leave it:
# comma-separated labels, the first encrypting, every one decrypting, as
# FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS below (which then only decrypt what was encrypted
# before, until `manage.py reencrypt_otp_keys` has moved every key into the module).
# FRONTDOOR_PKCS11_PEPPER_KEY_LABEL (optional, comma-separated, the first current) names
# generic secret keys in the module that pepper passwords instead of
# FRONTDOOR_PASSWORD_PEPPER (agencies.hashers: the module computes the HMAC; hashes under
# the application's pepper still verify and are made again at the next sign-in).
# `manage.py create_pkcs11_keys` makes the key objects. Set in part, or unusable at
# start-up (agencies.checks), Front Door refuses to start: it never falls back to keys of
# its own while a module is configured.
_pkcs11_variables = {
    "MODULE": "FRONTDOOR_PKCS11_MODULE",
    "TOKEN_LABEL": "FRONTDOOR_PKCS11_TOKEN_LABEL",
    "PIN": "FRONTDOOR_PKCS11_PIN",
    "OTP_KEY_LABEL": "FRONTDOOR_PKCS11_OTP_KEY_LABEL",
}
_pkcs11_optional = {"PEPPER_KEY_LABEL": "FRONTDOOR_PKCS11_PEPPER_KEY_LABEL"}
_pkcs11 = {
    key: env_str(name, "") for key, name in {**_pkcs11_variables, **_pkcs11_optional}.items()
}
PKCS11: dict | None = None
if any(_pkcs11.values()):
    _missing = [
        name + (" (or FRONTDOOR_PKCS11_PIN_FILE)" if key == "PIN" else "")
        for key, name in _pkcs11_variables.items()
        if not _pkcs11[key]
    ]
    if _missing:
        raise ImproperlyConfigured(
            "A PKCS#11 security module is configured only in part: set "
            + ", ".join(_missing)
            + " as well, or none of the FRONTDOOR_PKCS11_ variables."
        )
    _module_path = Path(_pkcs11["MODULE"])
    if not _module_path.is_absolute() or not _module_path.is_file():
        raise ImproperlyConfigured(
            f"FRONTDOOR_PKCS11_MODULE must be the absolute path of the module's PKCS#11 "
            f"library (a .so file): {_module_path} is not one."
        )
    _otp_key_labels = [label.strip() for label in _pkcs11["OTP_KEY_LABEL"].split(",")]
    _labels_problem = (
        "a key label is empty" if not all(_otp_key_labels) else hsm.check_labels(_otp_key_labels)
    )
    if _labels_problem:
        raise ImproperlyConfigured(
            f"FRONTDOOR_PKCS11_OTP_KEY_LABEL must be the labels of the token's AES keys, "
            f"comma-separated, the first encrypting: {_labels_problem}."
        )
    _pepper_key_labels = [
        label.strip()
        for label in _pkcs11["PEPPER_KEY_LABEL"].split(",")
        if _pkcs11["PEPPER_KEY_LABEL"]
    ]
    if _pepper_key_labels and (
        not all(_pepper_key_labels)
        or hsm.check_labels(_pepper_key_labels)
        or set(_pepper_key_labels) & set(_otp_key_labels)
    ):
        raise ImproperlyConfigured(
            "FRONTDOOR_PKCS11_PEPPER_KEY_LABEL must be the labels of the token's generic "
            "secret keys, comma-separated, the first current, each given once and none of "
            "them one of FRONTDOOR_PKCS11_OTP_KEY_LABEL."
        )
    PKCS11 = {
        "MODULE": str(_module_path),
        "TOKEN_LABEL": _pkcs11["TOKEN_LABEL"],
        "PIN": _pkcs11["PIN"],
        "OTP_KEY_LABELS": _otp_key_labels,
        "PEPPER_KEY_LABELS": _pepper_key_labels,
    }

# The password pepper (agencies.hashers): a secret mixed into every password hash and kept
# out of the database. Production needs it set; the embedded mode and development make
# one under var/. FRONTDOOR_PASSWORD_PEPPER_FALLBACKS, comma-separated, are earlier
# peppers: hashes made with them still verify and are made again with the current one at
# the next sign-in.
PASSWORD_PEPPER = env_str("FRONTDOOR_PASSWORD_PEPPER", "") or (
    "" if PRODUCTION else _generated_secret("password_pepper", lambda: secrets.token_urlsafe(32))
)
PASSWORD_PEPPER_FALLBACKS = env_list("FRONTDOOR_PASSWORD_PEPPER_FALLBACKS", [])
# A pepper key in the security module (above) replaces it: then it may be left unset, or
# kept to verify the hashes it made until they have all been made again.
_module_peppers = bool(PKCS11 and PKCS11["PEPPER_KEY_LABELS"])
if PRODUCTION and (
    (_weak_secret(PASSWORD_PEPPER, minimum=32) and not (_module_peppers and not PASSWORD_PEPPER))
    or any(_weak_secret(pepper, minimum=32) for pepper in PASSWORD_PEPPER_FALLBACKS)
):
    raise ImproperlyConfigured(
        "FRONTDOOR_PASSWORD_PEPPER must be set to a random value of at least 32 characters "
        "when DJANGO_DEBUG is off (production mode), and so must each of "
        "FRONTDOOR_PASSWORD_PEPPER_FALLBACKS: "
        'python -c "import secrets; print(secrets.token_urlsafe(32))"'
    )

# Authenticator keys are encrypted in the database (agencies.otp_keys, AES-256-GCM) under
# these keys, never the secret key: comma-separated, each 32 random bytes in URL-safe
# base64; the first encrypts, every one decrypts, and `manage.py reencrypt_otp_keys`
# moves every authenticator to the first so that the others can be removed. Production
# needs them set unless a PKCS#11 module is (above); the embedded mode and development
# make one under var/.
_otp_keys = env_str("FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS", "") or (
    "" if PRODUCTION else _generated_secret("otp_key_encryption_key", encryption.new_key)
)
if not _otp_keys and PKCS11:
    OTP_KEY_ENCRYPTION_KEYS: list[bytes] = []
elif not _otp_keys:
    raise ImproperlyConfigured(
        "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS must be set when DJANGO_DEBUG is off (production "
        "mode): one or more keys, comma-separated, the first encrypting, each 32 random "
        'bytes in URL-safe base64: python -c "import secrets; print(secrets.token_urlsafe(32))"'
    )
else:
    try:
        OTP_KEY_ENCRYPTION_KEYS = encryption.parse_keys(_otp_keys)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS must be keys of 32 random bytes in URL-safe "
            f"base64, comma-separated: {exc}."
        ) from None
if _otp_keys and ({item.strip() for item in _otp_keys.split(",")} - {""}) & {
    SECRET_KEY,
    *SECRET_KEY_FALLBACKS,
    PASSWORD_PEPPER,
    *PASSWORD_PEPPER_FALLBACKS,
}:
    raise ImproperlyConfigured(
        "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS must be keys of their own, not the secret key "
        "or the password pepper."
    )

# How long a key the application holds (the secret key, the pepper, the keys above, the
# health token) is used before it is due for replacement, counted from the day Front Door
# first saw it (oversight.key_ages; `manage.py key_ages`, and a daily warning in the
# security log). The council's key-management policy sets it (NIST SP 800-57's
# cryptoperiods are the usual guide). A certificate named by the connections' URLs with
# fewer than FRONTDOOR_CERTIFICATE_WARN_DAYS left is said to be expiring.
KEY_CRYPTOPERIOD_DAYS = env_int("FRONTDOOR_KEY_CRYPTOPERIOD_DAYS", 365, minimum=1)
CERTIFICATE_WARN_DAYS = env_int("FRONTDOOR_CERTIFICATE_WARN_DAYS", 7, minimum=1)
