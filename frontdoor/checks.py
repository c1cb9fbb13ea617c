"""Start-up checks of the project's own settings (Django's system checks)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from notices.delivery import longest_retry_schedule


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


@checks.register()
def email_retries_end_before_give_up(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """An email's attempts (FRONTDOOR_NOTICE_MAX_ATTEMPTS, each retried within the back-off
    or FRONTDOOR_NOTICE_LEASE_SECONDS) must be spent before FRONTDOOR_EMAIL_GIVE_UP_HOURS
    gives it up as stuck (notices.delivery.give_up_expired): otherwise an email still
    being retried is marked failed and the administrators told, and the attempts promised
    are never made. An error: the settings contradict each other."""
    takes = longest_retry_schedule(
        max_attempts=settings.NOTICE_MAX_ATTEMPTS, lease=settings.NOTICE_CLAIM_LEASE
    )
    give_up_after = settings.EMAIL_GIVE_UP_AFTER
    if takes <= give_up_after:
        return []
    per_attempt = longest_retry_schedule(max_attempts=1, lease=settings.NOTICE_CLAIM_LEASE)
    return [
        checks.Error(
            f"FRONTDOOR_NOTICE_MAX_ATTEMPTS ({settings.NOTICE_MAX_ATTEMPTS}) can take up to "
            f"{takes.total_seconds() / 3600:.1f} hours of retries, longer than "
            f"FRONTDOOR_EMAIL_GIVE_UP_HOURS ({give_up_after.total_seconds() / 3600:g}): emails "
            "would be given up while their retries were still to come.",
            hint=f"Set FRONTDOOR_NOTICE_MAX_ATTEMPTS to at most "
            f"{give_up_after // per_attempt} (with FRONTDOOR_NOTICE_LEASE_SECONDS "
            f"{settings.NOTICE_CLAIM_LEASE.total_seconds():g}), or raise "
            "FRONTDOOR_EMAIL_GIVE_UP_HOURS.",
            id="frontdoor.E001",
        )
    ]
