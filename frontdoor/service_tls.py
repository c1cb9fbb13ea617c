"""Production's rules for the connections to PostgreSQL, Redis, the SMTP server and the
log collector (ASVS 1.9.1, 1.9.2, 9.2.1 to 9.2.3, 2.10.2): encrypted, with the server's
certificate verified, and Redis with a password.

- PostgreSQL (DATABASE_URL, DATABASE_REPLICA_URL): ``sslmode=verify-full`` (or
  ``verify-ca``) with ``sslrootcert``, the certificate authority that signed the server's
  certificate (a file, or ``system`` for the system's authorities). libpq's default,
  ``prefer``, falls back to plain text and verifies nothing. With a client certificate
  (ASVS 2.10.1; PostgreSQL's pg_hba ``cert``), ``sslcert`` and ``sslkey`` name its
  files, both or neither, and the URL needs no password.
- Redis (CELERY_BROKER_URL, FRONTDOOR_CACHE_URL): ``rediss://`` with
  ``ssl_cert_reqs=required`` and a password (``rediss://:PASSWORD@host`` or an ACL user,
  ``rediss://USER:PASSWORD@host``); the host name is checked against the certificate
  unless ``ssl_check_hostname=false``, which is refused. A client certificate
  (``ssl_certfile``, ``ssl_keyfile``; Redis's ``tls-auth-clients yes``) is welcome, but
  Redis still asks for the password: it does not take a certificate for a user.
- SMTP (EMAIL_HOST, with Django's SMTP backend): STARTTLS (``EMAIL_USE_TLS``) or implicit
  TLS (``EMAIL_USE_SSL``); Django's backend verifies the server's certificate and name
  against the system's authorities (``ssl.create_default_context``) and has no setting
  to skip that.
- The log collector (FRONTDOOR_LOG_FORWARD_URL): ``syslog+tls://``, its certificate always
  verified (core.log_forwarding); ``syslog+tcp://`` is plain text.

One opt-out, ``FRONTDOOR_ALLOW_PLAINTEXT_SERVICES=loopback``, for a service on the same
machine: it lets a connection to 127.0.0.1, ::1, localhost or a Unix socket go without TLS
(and Redis there without a password; SMTP or the log collector there in plain text),
and nothing else: a host on another machine, a
container's service name or a private network address is still refused.

Each function returns the reason a value is refused, naming its variable, or None.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

ALLOW_PLAINTEXT_VARIABLE = "FRONTDOOR_ALLOW_PLAINTEXT_SERVICES"
ALLOW_PLAINTEXT_VALUES = ("", "loopback")
LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}
VERIFYING_SSLMODES = ("verify-full", "verify-ca")

_OPT_OUT = (
    f"{ALLOW_PLAINTEXT_VARIABLE}=loopback allows plain connections only to 127.0.0.1, ::1, "
    "localhost or a Unix socket"
)


def is_loopback(host: str) -> bool:
    """A host on this machine: a loopback address, localhost, or a Unix socket (a path,
    or no host at all, which libpq and redis take as the default socket)."""
    host = host.strip().strip("[]").lower()
    return not host or host.startswith("/") or host in LOOPBACK_HOSTS


def _all_loopback(hosts: list[str]) -> bool:
    return all(is_loopback(host) for host in hosts)


def database_problem(variable: str, database: dict, *, allow_loopback: bool) -> str | None:
    """``database``: a Django DATABASES entry, as dj_database_url makes it (the URL's query
    in OPTIONS)."""
    options = database.get("OPTIONS", {})
    hosts: list[str] = []
    for value in (database.get("HOST") or options.get("host") or "", options.get("hostaddr")):
        if value is not None:
            hosts.extend(str(value).split(","))
    if allow_loopback and _all_loopback(hosts):
        return None
    sslmode = str(options.get("sslmode", ""))
    rootcert = str(options.get("sslrootcert", ""))
    if sslmode not in VERIFYING_SSLMODES or not rootcert:
        return (
            f"{variable} must ask for TLS with the server's certificate verified when "
            "DJANGO_DEBUG is off (production mode): add ?sslmode=verify-full&sslrootcert="
            "/path/to/the/ca.pem (the authority that signed the PostgreSQL server's "
            "certificate; sslrootcert=system for the system's authorities), not "
            f"sslmode={sslmode or '(unset: libpq tries TLS but verifies nothing)'}. "
            f"{_OPT_OUT}."
        )
    if rootcert != "system" and not _readable(rootcert):
        return (
            f"{variable} names sslrootcert={rootcert}, which is not a file this process "
            "can read: the certificate authority that signed the PostgreSQL server's "
            "certificate, in PEM."
        )
    return client_certificate_problem(
        variable, str(options.get("sslcert", "")), str(options.get("sslkey", "")), "ssl"
    )


def _readable(path: str) -> bool:
    return Path(path).is_file() and os.access(path, os.R_OK)


def client_certificate_problem(variable: str, cert: str, key: str, prefix: str) -> str | None:
    """A client certificate is optional; given, its certificate and key are both named and
    both files this process can read (or libpq and redis-py fail at the first connection,
    far from the setting). ``prefix``: libpq's ``ssl`` (sslcert, sslkey) or redis-py's
    ``ssl_`` (ssl_certfile, ssl_keyfile)."""
    cert_name, key_name = (
        ("sslcert", "sslkey") if prefix == "ssl" else ("ssl_certfile", "ssl_keyfile")
    )
    if not cert and not key:
        return None
    if not cert or not key:
        given, missing = (cert_name, key_name) if cert else (key_name, cert_name)
        return (
            f"{variable} names {given} without {missing}: a client certificate needs both "
            f"its certificate ({cert_name}) and its key ({key_name})."
        )
    for name, value in ((cert_name, cert), (key_name, key)):
        if not _readable(value):
            return (
                f"{variable} names {name}={value}, which is not a file this process can "
                "read: the client certificate and its key, in PEM."
            )
    return None


def redis_problem(variable: str, url: str, *, allow_loopback: bool) -> str | None:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if scheme in {"unix", "socket", "redis+socket"}:
        host = parts.path or "/"
    if allow_loopback and is_loopback(host):
        return None
    if scheme != "rediss":
        return (
            f"{variable} must use TLS when DJANGO_DEBUG is off (production mode): "
            "rediss://:PASSWORD@host:6380/0?ssl_cert_reqs=required (and &ssl_ca_certs="
            "/path/to/the/ca.pem unless the system's authorities sign the Redis server's "
            f"certificate), not {scheme}://. {_OPT_OUT}."
        )
    query = parse_qs(parts.query)
    cert_reqs = query.get("ssl_cert_reqs", [""])[-1]
    if cert_reqs != "required":
        return (
            f"{variable} must verify the Redis server's certificate when DJANGO_DEBUG is "
            "off (production mode): add ssl_cert_reqs=required to its query (and "
            "ssl_ca_certs=/path/to/the/ca.pem unless the system's authorities sign the "
            f"certificate), not ssl_cert_reqs={cert_reqs or '(unset)'}."
        )
    if query.get("ssl_check_hostname", ["true"])[-1].lower() in {"false", "0", "no", "off"}:
        return (
            f"{variable} must not turn off ssl_check_hostname: the Redis server's "
            "certificate must name the host connected to."
        )
    problem = client_certificate_problem(
        variable,
        query.get("ssl_certfile", [""])[-1],
        query.get("ssl_keyfile", [""])[-1],
        "ssl_",
    )
    if problem:
        return problem
    if not unquote(parts.password or ""):
        return (
            f"{variable} must carry Redis's password when DJANGO_DEBUG is off (production "
            "mode): rediss://:PASSWORD@host:6380/0?ssl_cert_reqs=required, or an ACL "
            "user's rediss://USER:PASSWORD@host...; Redis must not accept connections "
            f"without one (requirepass, or ACL users with the default user off). {_OPT_OUT}."
        )
    return None


SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def smtp_problem(
    *, backend: str, host: str, use_tls: bool, use_ssl: bool, allow_loopback: bool
) -> str | None:
    """Email sent with Django's SMTP backend goes over TLS: STARTTLS (EMAIL_USE_TLS) or
    implicit TLS (EMAIL_USE_SSL). Another backend (files, in the smoke and the benchmark)
    connects to nothing and is not judged."""
    if backend != SMTP_BACKEND:
        return None
    if use_tls and use_ssl:
        return (
            "EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true: EMAIL_USE_TLS=true for "
            "STARTTLS (port 587), or EMAIL_USE_SSL=true for implicit TLS (port 465)."
        )
    if use_tls or use_ssl or (allow_loopback and is_loopback(host)):
        return None
    return (
        "EMAIL_USE_TLS must be true (STARTTLS, port 587), or EMAIL_USE_SSL true (implicit "
        "TLS, port 465), when DJANGO_DEBUG is off (production mode): EMAIL_USE_TLS=false "
        f"sends email to EMAIL_HOST={host} in plain text. {_OPT_OUT}."
    )


def log_forward_problem(*, host: str, tls: bool, allow_loopback: bool) -> str | None:
    """``host`` and ``tls``: FRONTDOOR_LOG_FORWARD_URL's, as core.log_forwarding parses it."""
    if tls or (allow_loopback and is_loopback(host)):
        return None
    return (
        "FRONTDOOR_LOG_FORWARD_URL is syslog+tcp://, which sends the security log in plain "
        f"text to {host}: use syslog+tls://host:port. {_OPT_OUT} (a relay there that "
        "forwards over TLS itself)."
    )
