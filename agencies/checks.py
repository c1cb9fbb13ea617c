"""Start-up checks (Django's system checks: every manage.py command, `check --deploy`,
and the WSGI application as it loads, frontdoor.wsgi)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from agencies import security_module
from agencies.policy import unknown_roles
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


@checks.register(checks.Tags.security)
def second_factor_roles_known(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """FRONTDOOR_MFA_ALSO_FOR names roles by their value: a misspelt one would leave that
    role signing in with a password alone while the operator believed otherwise."""
    unknown = unknown_roles(settings.MFA_ALSO_FOR)
    if unknown:
        return [
            checks.Error(
                f"FRONTDOOR_MFA_ALSO_FOR names no role: {', '.join(unknown)}. The roles are "
                "referrer, agency_lead, screener, manager, partner, auditor and admin.",
                id="agencies.E002",
            )
        ]
    return []
