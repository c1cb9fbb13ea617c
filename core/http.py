"""Facts about a request that any layer may ask, without importing Django."""

import ipaddress

API_PREFIX = "/api/"


def is_api_request(request) -> bool:
    """Whether the request is for the API (JSON answers), not a page (HTML)."""
    return request.path.startswith(API_PREFIX)


def client_address(meta, *, trusted_proxies: int) -> str | None:
    """The address a request came from, given how many proxies of our own are in front.

    With none, the connection's own address (REMOTE_ADDR): X-Forwarded-For is ignored,
    because any client can send it. With ``n``, the address the outermost of our proxies
    saw: the n-th from the right of X-Forwarded-For, where each proxy appends the address
    it was reached from (as Django REST framework's NUM_PROXIES reads it, so throttling
    and lockout agree). A header shorter than that falls back to its first entry. An
    entry that is not an address (only possible when fewer proxies are in front than
    the setting says, so that the client wrote it) gives REMOTE_ADDR instead: django-axes
    keeps the address in an ``inet`` column on PostgreSQL, where anything else failed
    the sign-in with a 500.
    """
    remote = meta.get("REMOTE_ADDR") or None
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if trusted_proxies <= 0 or not forwarded:
        return remote
    addresses = [part.strip() for part in forwarded.split(",") if part.strip()]
    if not addresses:
        return remote
    chosen = addresses[-min(trusted_proxies, len(addresses))]
    try:
        ipaddress.ip_address(chosen)
    except ValueError:
        return remote
    return chosen
