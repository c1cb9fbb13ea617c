"""Start-up checks (Django's system checks: every manage.py command, `check --deploy`,
and the WSGI application as it loads, frontdoor.wsgi)."""

from __future__ import annotations

from django.core import checks

from agencies import security_module
from core.hsm import ModuleUnavailable


@checks.register(checks.Tags.security)
def security_module_usable(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A PKCS#11 module configured (settings.PKCS11) must be usable: the library loads, the
    token is there, the PIN opens it, and every key label names a sensitive,
    non-extractable AES-256 key. Refused otherwise, never worked around."""
    try:
        security_module.check()
    except ModuleUnavailable as exc:
        return [checks.Error(str(exc), id="agencies.E001")]
    return []
