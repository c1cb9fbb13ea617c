"""Start-up checks of the project's own settings (Django's system checks)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def privacy_notice_linked(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """In production the council's privacy notice should be a link on every page and on
    the referral form (FRONTDOOR_PRIVACY_NOTICE_URL): referrers and staff are told what is
    done with what they send. A warning, not an error: the service runs without it, and
    only the council can write the notice."""
    if settings.DEBUG or settings.PRIVACY_NOTICE_URL:
        return []
    return [
        checks.Warning(
            "FRONTDOOR_PRIVACY_NOTICE_URL is not set: no page links to the council's privacy "
            "notice.",
            hint="Set it to the address of the notice that covers the front door.",
            id="frontdoor.W001",
        )
    ]
