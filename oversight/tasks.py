"""Periodic checks of the oversight app, run by beat."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from oversight import key_ages

logger = logging.getLogger("frontdoor.security")


@shared_task(name="oversight.check_key_ages")
def check_key_ages() -> int:
    """Once a day: note the keys in use, and warn in the security log of each key past its
    cryptoperiod and each certificate expiring or expired (settings and dates only)."""
    now = timezone.now()
    found = key_ages.problems(key_ages.record(now), key_ages.certificates(now), now)
    for problem in found:
        logger.warning("key age: %s", problem)
    return len(found)
