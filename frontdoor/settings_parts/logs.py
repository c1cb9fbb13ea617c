"""Logging, and forwarding the security log to a collector."""

from __future__ import annotations

import ssl

from django.core.exceptions import ImproperlyConfigured

from core import log_forwarding
from frontdoor import service_tls
from frontdoor.env import env_bool, env_int, env_str
from frontdoor.settings_parts.database import _allow_loopback

# --- Logging: no personal data; usernames and addresses are masked by django-axes ----

LOG_LEVEL = env_str("DJANGO_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        # UTC with a Z: local time repeats an hour each October.
        "plain": {
            "()": "core.log_format.UtcFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "frontdoor": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

# --- Forwarding the security log to a collector (ASVS 1.7.2) --------------------------

# Off unless set: syslog+tls://host[:port] (RFC 5425, port 6514 by default). The security
# log (frontdoor.security: sign-ins, failures, lockouts, two-step verification, tokens,
# refusals, break the glass) and Django's (django.security: bad hosts, CSRF failures) are
# then also sent there, line for line as on standard output, through a queue that never
# holds up a request (core.log_forwarding says what happens while the collector is down).
# The collector's certificate is always verified: against FRONTDOOR_LOG_FORWARD_CA (PEM;
# or FRONTDOOR_LOG_FORWARD_CA_FILE, its path) when set, the system's authorities when not.
# syslog+tcp://host:port sends plain text and is refused, in every mode, unless the host is
# on this machine and FRONTDOOR_ALLOW_PLAINTEXT_SERVICES=loopback (a relay that forwards
# over TLS itself; frontdoor.service_tls).
LOG_FORWARD_URL = env_str("FRONTDOOR_LOG_FORWARD_URL", "")
LOG_FORWARD_CA = env_str("FRONTDOOR_LOG_FORWARD_CA", "")
LOG_FORWARD_QUEUE = env_int("FRONTDOOR_LOG_FORWARD_QUEUE", 10_000, minimum=100)
if env_bool("FRONTDOOR_LOG_FORWARD_ALLOW_PLAINTEXT", False):
    # It allowed plain text to any host; a setting ignored without a word would mislead.
    raise ImproperlyConfigured(
        "FRONTDOOR_LOG_FORWARD_ALLOW_PLAINTEXT is no longer read: plain syslog+tcp:// is "
        "allowed only to a relay on this machine (127.0.0.1, ::1 or localhost), with "
        "FRONTDOOR_ALLOW_PLAINTEXT_SERVICES=loopback. Remove it."
    )
if LOG_FORWARD_URL:
    try:
        _forward_to = log_forwarding.parse_destination(LOG_FORWARD_URL)
    except ValueError as exc:
        raise ImproperlyConfigured(f"FRONTDOOR_LOG_FORWARD_URL {exc}.") from None
    _forward_problem = service_tls.log_forward_problem(
        host=_forward_to.host, tls=_forward_to.tls, allow_loopback=_allow_loopback
    )
    if _forward_problem:
        raise ImproperlyConfigured(_forward_problem)
    if _forward_to.tls:
        try:
            log_forwarding.tls_context(ca_certificates=LOG_FORWARD_CA)
        except ssl.SSLError as exc:
            raise ImproperlyConfigured(
                "FRONTDOOR_LOG_FORWARD_CA (or the file FRONTDOOR_LOG_FORWARD_CA_FILE names) "
                f"must hold the collector's certificate authority in PEM: {exc.reason or exc}."
            ) from None
    LOGGING["handlers"]["forward"] = {
        "()": "core.log_forwarding.ForwardingHandler",
        "formatter": "plain",
        "host": _forward_to.host,
        "port": _forward_to.port,
        "tls": _forward_to.tls,
        "ca_certificates": LOG_FORWARD_CA,
        "queue_size": LOG_FORWARD_QUEUE,
    }
    # Each sends to the collector and, through its parent, to standard output as before.
    for _logger in ("frontdoor.security", "django.security"):
        LOGGING["loggers"][_logger] = {"handlers": ["forward"], "propagate": True}
