"""The PKCS#11 security module Front Door is configured with (settings.PKCS11, core.hsm),
one per process and configuration, or None when none is configured."""

from __future__ import annotations

import threading

from django.conf import settings

from core import hsm

_modules: dict[hsm.Config, hsm.SecurityModule] = {}
_lock = threading.Lock()


def config() -> hsm.Config | None:
    pkcs11 = settings.PKCS11
    if not pkcs11:
        return None
    return hsm.Config(
        library=pkcs11["MODULE"], token_label=pkcs11["TOKEN_LABEL"], pin=pkcs11["PIN"]
    )


def get() -> hsm.SecurityModule | None:
    """The module, its session opened at first use (core.hsm)."""
    wanted = config()
    if wanted is None:
        return None
    with _lock:
        module = _modules.get(wanted)
        if module is None:
            module = _modules[wanted] = hsm.SecurityModule(wanted)
        return module


def otp_key_labels() -> list[str]:
    return list(settings.PKCS11["OTP_KEY_LABELS"])


def pepper_key_labels() -> list[str]:
    """FRONTDOOR_PKCS11_PEPPER_KEY_LABEL: the module's keys that pepper passwords
    (agencies.hashers), none unless set."""
    return list(settings.PKCS11.get("PEPPER_KEY_LABELS", [])) if settings.PKCS11 else []


def check() -> None:
    """Open the configured module and find every key, then close the session again (so
    that a process about to fork holds none): core.hsm.ModuleUnavailable naming the
    setting when it cannot be used. Nothing when none is configured."""
    module = get()
    if module is None:
        return
    try:
        module.check(otp_key_labels())
        module.check(pepper_key_labels(), hsm.HMAC)
    finally:
        module.close()
