"""Which services may be reached without TLS (the rule every connection is checked
by), and the database: PostgreSQL, its optional read replica, or SQLite when embedded."""

from __future__ import annotations

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from frontdoor import service_tls
from frontdoor.env import env_str
from frontdoor.settings_parts.base import PRODUCTION, VAR_DIR

# --- Connections to PostgreSQL and Redis ----------------------------------------------

# Production connects to PostgreSQL and Redis over TLS, verifying their certificates, and
# to Redis with a password (frontdoor.service_tls says exactly what each URL must hold).
# FRONTDOOR_ALLOW_PLAINTEXT_SERVICES=loopback is the one exception: it lets a service on
# this machine (127.0.0.1, ::1, localhost or a Unix socket) be reached without TLS, and
# Redis there without a password; a service anywhere else is refused all the same.
ALLOW_PLAINTEXT_SERVICES = env_str("FRONTDOOR_ALLOW_PLAINTEXT_SERVICES", "").lower()
if ALLOW_PLAINTEXT_SERVICES not in service_tls.ALLOW_PLAINTEXT_VALUES:
    raise ImproperlyConfigured(
        "FRONTDOOR_ALLOW_PLAINTEXT_SERVICES must be empty or 'loopback' (PostgreSQL "
        "and Redis on this machine: 127.0.0.1, ::1, localhost or a Unix socket), not "
        f"{ALLOW_PLAINTEXT_SERVICES!r}."
    )
_allow_loopback = ALLOW_PLAINTEXT_SERVICES == "loopback"


def _refuse(problem: str | None) -> None:
    if PRODUCTION and problem:
        raise ImproperlyConfigured(problem)


# --- Database -------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'frontdoor.sqlite3'}")
try:
    _database = dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
except ValueError as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL Front Door knows: {exc}"
    ) from None
if _database["ENGINE"] == "django.db.backends.sqlite3":
    if PRODUCTION:
        raise ImproperlyConfigured(
            "DATABASE_URL must name a PostgreSQL database when DJANGO_DEBUG is off "
            "(production mode); "
            "SQLite is for the embedded mode only (FRONTDOOR_EMBEDDED=true)."
        )
    _database["CONN_MAX_AGE"] = 0
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # The web process and the worker write at once: WAL lets readers carry on while one
    # writer writes, IMMEDIATE takes the write lock at the start of a transaction (so a
    # transaction never fails half-way on an upgrade from a read lock) and the timeout
    # makes a second writer wait instead of failing with "database is locked".
    _database["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=30000;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
elif _database["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must name a PostgreSQL or SQLite database.")
else:
    # No JIT compilation of query plans: every query the app runs is meant to be short,
    # and PostgreSQL's JIT (on by default since 12) spends hundreds of milliseconds
    # compiling a plan whose estimated cost crosses jit_above_cost, more than such a
    # query takes to run (the live dashboard at 1,000,000 referrals: 350-460 ms with it,
    # 110-150 ms without; docs/PERFORMANCE.md).
    # An operator's own connection options (?options=... in DATABASE_URL) are kept, and
    # a jit setting of theirs wins.
    _options = _database.setdefault("OPTIONS", {})
    if "jit" not in _options.get("options", ""):
        _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
    _refuse(service_tls.database_problem("DATABASE_URL", _database, allow_loopback=_allow_loopback))
DATABASES = {"default": _database}

# A read replica of that database (PostgreSQL streaming replication, or a managed
# service's read replica), optional: the managers' dashboard, the performance pages and
# the exports read from it, seconds behind the primary at worst; nothing else does, and
# nothing is ever written to it (core.db, frontdoor.db_router, docs/DEPLOYMENT.md).
# Unset: every read uses DATABASE_URL.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    try:
        _replica = dj_database_url.parse(
            DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True
        )
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URL is not a database URL Front Door knows: {exc}"
        ) from None
    if (
        _replica["ENGINE"] != "django.db.backends.postgresql"
        or _database["ENGINE"] != "django.db.backends.postgresql"
    ):
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL must name a PostgreSQL read replica of the PostgreSQL "
            "database DATABASE_URL names; leave it unset to read everything from "
            "DATABASE_URL."
        )
    # The primary's connection options, then any the replica's URL gives itself.
    _replica["OPTIONS"] = {**_database.get("OPTIONS", {}), **_replica.get("OPTIONS", {})}
    if "jit" not in _replica["OPTIONS"].get("options", ""):
        _replica["OPTIONS"]["options"] = (
            f"{_replica['OPTIONS'].get('options', '')} -c jit=off".strip()
        )
    # The primary's sslmode and sslrootcert hold for the replica unless its URL says.
    _refuse(
        service_tls.database_problem(
            "DATABASE_REPLICA_URL", _replica, allow_loopback=_allow_loopback
        )
    )
    # In tests the replica is the test database itself, through a connection of its own
    # (so only transactional tests see through it what they wrote).
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES["replica"] = _replica
DATABASE_ROUTERS = ["frontdoor.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
