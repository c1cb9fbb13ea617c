"""Many accesses refused to one signed-in account are alerted on (ASVS 11.1.7): someone
trying record after record outside their scope (the policy answers 404 for those, so as
not to say they exist) or page after page their role may not open (403), by hand or by a
script with a stolen session or API token. Each refusal is already in the security log
(frontdoor.middleware.RefusalLogMiddleware, which calls ``counted`` for each); this tells
the administrators and the auditors when one account has more than
``REFUSAL_ALERT_COUNT`` of them in the last ``REFUSAL_ALERT_MINUTES``, at most once for
that account in that many minutes.

Counted: 403 and 404 answered to a signed-in account (a web session or an API token's
user). Not counted: 401 (no one signed in), the rejections (400 and 405, a form or a
request that failed validation, which is ordinary; 413, 415) and 429 (refused for its
rate, which has its own alert: agencies.rates). Requests from no one signed in are not
counted per account, having none; the address is not a safe stand-in (a council's
proxy puts many people behind one).

Nor are two refusals that are no attempt at anything the account may not reach (``counts``
tells them apart; both are still in the security log): a 403 from a failed CSRF check,
which a stale form gives (sent again with the back button after the session was renewed,
and so its token with it), marked by the CSRF failure view (frontdoor.errors.csrf_failure,
``mark_not_counted``; the API's CSRF check is DRF's session authentication, which leaves a
request it refuses with no one signed in, so there is no account to count it against);
and a 404 for an address that matches no route at all (a mistyped
one), which Django answers before any view runs, so that ``request.resolver_match`` is
still None. A record outside the account's scope is a 404 too, but from a routed view (its
selector finds nothing: ``get_object_or_404`` on what the account may see), and counts.

The window slides: the count is of the last ``REFUSAL_ALERT_MINUTES``, kept in the cache
as ten slices of a tenth of the window each (one integer per account and slice), so a
burst that straddles a clock boundary is still counted whole. The oldest slice drops out
whole, so what is counted is the last nine tenths of the window to the whole of it. The
cache is Redis in production (FRONTDOOR_CACHE_URL), shared by every process; in the
embedded mode and development each process's own memory. A refusal costs a cache
increment and one read of ten keys, no database write. Once an account has gone over, a
note in the cache (written by one process alone: ``cache.add``) holds further alerts
about it for one window; the notices themselves are written once per key in the
database.

agencies sits below notices (import-linter's layers): ``refusals_exceeded`` is answered
by notices.receivers. A refusal is never held up, undone or turned into an error by its
count or its alert: a failure is a line in the security log.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.dispatch import Signal
from django.utils import timezone

from core import security_log

# 403: not for this role; 404: a record outside the account's scope (or none at all).
COUNTED = frozenset({403, 404})

# Set on a request whose refusal is no attempt at what the account may not reach.
_NOT_COUNTED = "_frontdoor_refusal_not_counted"

# Each window is counted in this many slices.
SLICES = 10

# Sent with ``user_id`` (the account), ``count`` (REFUSAL_ALERT_COUNT, which it went
# over), ``minutes`` (REFUSAL_ALERT_MINUTES), ``at`` (when) and ``moment`` (the number of
# the slice it fell in, for the notices' keys).
refusals_exceeded = Signal()


def mark_not_counted(request) -> None:
    """This request's refusal is not to count against its account (a failed CSRF check)."""
    setattr(request, _NOT_COUNTED, True)


def counts(request, *, status: int) -> bool:
    """Whether this refusal is one to count: not one marked ``mark_not_counted``, nor a
    404 for an address no route matches (Django resolves the address before any view,
    and sets ``resolver_match`` only when a route matched)."""
    if getattr(request, _NOT_COUNTED, False):
        return False
    return not (status == 404 and getattr(request, "resolver_match", None) is None)


def counted(*, user_id: int | None, status: int) -> None:
    """One response answered: count it against its account if it is a refusal counted,
    and alert if it takes the account over the number in the last window, unless the
    account was alerted on less than a window ago. Never raises."""
    limit = settings.REFUSAL_ALERT_COUNT
    minutes = settings.REFUSAL_ALERT_MINUTES
    if not limit or not minutes or user_id is None or status not in COUNTED:
        return
    try:
        at = timezone.now()
        window = minutes * 60
        slice_seconds = window / SLICES
        moment = int(at.timestamp() // slice_seconds)
        keys = [
            f"refusals:user:{user_id}:slice:{minutes}:{n}"
            for n in range(moment - SLICES + 1, moment + 1)
        ]
        # Each slice's key outlives the window, so it cannot expire between the add and
        # the increment, nor before the window has passed over it.
        cache.add(keys[-1], 0, timeout=window + 60)
        now = cache.incr(keys[-1])
        if now + sum(cache.get_many(keys[:-1]).values()) <= limit:
            return
        if not cache.add(f"refusals:user:{user_id}:alerted:{minutes}", True, timeout=window):
            return
        results = refusals_exceeded.send_robust(
            sender=None, user_id=user_id, count=limit, minutes=minutes, at=at, moment=moment
        )
    except Exception as error:  # noqa: BLE001 - the refusal stands whatever happens here
        security_log.refusals_not_alerted(user_id=user_id, error=type(error).__name__)
        return
    for _receiver, result in results:
        if isinstance(result, Exception):
            security_log.refusals_not_alerted(user_id=user_id, error=type(result).__name__)
