"""Requests refused for their rate are alerted on (ASVS 8.1.4): a signed-in person's web
pages (frontdoor.middleware.PageRateMiddleware), a user's API requests
(``ApiRateThrottle``, DRF's default throttle here) and an address's requests for a token
(agencies.api.TokenRequestThrottle). Each refusal is already in the security log
(frontdoor.middleware.RefusalLogMiddleware); this tells the administrators and the
auditors, at most once for each account (or, not signed in, each address) in
``RATE_ALERT_MINUTES``: someone copying records out, a script, or a stolen account or
token, goes on asking, and each request is refused, so one alert is enough.

agencies sits below notices (import-linter's layers), so it cannot raise the notice
itself: ``refused`` sends ``rate_refused`` and notices.receivers writes the notices. A
refusal is never held up or undone by its alert: a failure to alert is a line in the
security log. A refused request costs a cache look-up more, not a database write: only
the first refusal of a window (``cache.add``) goes on to the signal, whose notices are
written once per key in the database whatever the cache says (each process has its own
cache without FRONTDOOR_CACHE_URL).
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.core.cache import cache
from django.dispatch import Signal
from django.utils import timezone
from rest_framework.throttling import UserRateThrottle

from agencies.lockout import client_address
from core import security_log


class RefusedVia(StrEnum):
    PAGES = "pages"
    API = "api"
    TOKEN = "token"


# Sent with ``user_id`` (the account refused, None when not signed in), ``via`` (a
# RefusedVia), ``address`` (the client's, as the security log has it; "" if unknown),
# ``at`` (when) and ``window`` (the number of the RATE_ALERT_MINUTES window it fell in).
rate_refused = Signal()


def refused(*, request, via: RefusedVia) -> None:
    """A request refused for its rate: alert on it, if it is the first of its account or
    address in this window. Never raises."""
    minutes = settings.RATE_ALERT_MINUTES
    if not minutes:
        return
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    address = client_address(request) or ""
    at = timezone.now()
    window = int(at.timestamp()) // (minutes * 60)
    about = f"user:{user_id}" if user_id is not None else f"address:{address}"
    try:
        first = cache.add(f"rate-alert:{about}:window:{window}", True, timeout=minutes * 60)
    except Exception:  # noqa: BLE001 - no cache: the notices' keys still say once
        first = True
    if not first:
        return
    results = rate_refused.send_robust(
        sender=RefusedVia, user_id=user_id, via=via, address=address, at=at, window=window
    )
    for _receiver, result in results:
        if isinstance(result, Exception):
            security_log.rate_not_alerted(user_id=user_id, via=via, error=type(result).__name__)


class AlertingThrottle:
    """A DRF throttle whose refusals are alerted on (``refused``), as ``refused_via``."""

    refused_via: RefusedVia

    def allow_request(self, request, view) -> bool:
        if super().allow_request(request, view):
            return True
        refused(request=request, via=self.refused_via)
        return False


class ApiRateThrottle(AlertingThrottle, UserRateThrottle):
    """Each signed-in user's API requests, over FRONTDOOR_API_RATE (DRF's "user" rate)."""

    refused_via = RefusedVia.API
