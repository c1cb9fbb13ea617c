"""Front Door settings, read from environment variables (see .env.example).

Three modes:

- production (the default): DEBUG off; refuses to start without a secret key, a password
  pepper, the authenticator keys' encryption key and hosts, with SQLite or with the file
  broker, or with PostgreSQL or Redis reached without TLS and a verified certificate, or
  Redis without a password (frontdoor.service_tls; FRONTDOOR_ALLOW_PLAINTEXT_SERVICES=
  loopback lets services on this machine alone go without);
- embedded (FRONTDOOR_EMBEDDED=true, set by `make run`): as safe as production (DEBUG
  off, the project's own error pages, gunicorn and WhiteNoise) but on one machine:
  SQLite and a file-based Celery broker under var/, email written to files under
  var/mail/, and a secret key, a password pepper and a key for the authenticator keys
  generated under var/ on first run and kept (development keeps the last two there too);
- development (DJANGO_DEBUG=true, `make dev` and the tests): Django's debug pages.
"""

from __future__ import annotations

import os
import secrets
import ssl
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from core import encryption, hsm, log_forwarding
from core.clock import ClockPolicy
from frontdoor import service_tls
from frontdoor.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("FRONTDOOR_VAR_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = env_bool("DJANGO_DEBUG", False)
EMBEDDED = env_bool("FRONTDOOR_EMBEDDED", False)
# Kept apart from DEBUG because the test runner switches DEBUG off for every test.
PRODUCTION = not DEBUG and not EMBEDDED

INSECURE_SECRET_KEY = "insecure-development-key-do-not-use-in-production"


def _generated_secret(filename: str, make: Callable[[], str]) -> str:
    """A secret the embedded mode (and development) generates on first run and keeps under
    var/, readable by its owner only, so that it survives a restart and no two installs
    share one. Written to a temporary file and linked into place, so that processes
    starting at once (web, worker, beat) all read the one that won, never a half-written
    file."""
    path = VAR_DIR / filename
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=VAR_DIR, prefix=f".{filename}.")
        try:
            with os.fdopen(descriptor, "w") as file:  # mkstemp makes it 0600
                file.write(make())
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: theirs is kept
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


SECRET_KEY = env_str(
    "DJANGO_SECRET_KEY",
    _generated_secret("secret_key", lambda: secrets.token_urlsafe(50))
    if EMBEDDED and not DEBUG
    else INSECURE_SECRET_KEY,
)


# Earlier secret keys, comma-separated, while they retire: what they signed (sessions,
# password-reset links) is still accepted, and everything new is signed with
# DJANGO_SECRET_KEY, so the key is replaced without signing everyone out. Remove them
# once the sessions they signed have ended (SESSION_ABSOLUTE_TIMEOUT, 12 hours by default).
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS", [])


def _weak_secret(value: str, *, minimum: int) -> bool:
    return len(value) < minimum or len(set(value)) < 5


if PRODUCTION and (
    SECRET_KEY == INSECURE_SECRET_KEY
    or _weak_secret(SECRET_KEY, minimum=50)
    or any(_weak_secret(key, minimum=50) for key in SECRET_KEY_FALLBACKS)
):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to a random value of at least 50 characters "
        "when DJANGO_DEBUG is off (production mode), and so must each of "
        "DJANGO_SECRET_KEY_FALLBACKS."
    )

# --- A PKCS#11 security module for the authenticator keys and the pepper (ASVS 6.4.2) --

# Off unless set (docs/DEPLOYMENT.md, "A hardware security module"). When
# FRONTDOOR_PKCS11_MODULE (the path of the module's PKCS#11 library, the .so),
# FRONTDOOR_PKCS11_TOKEN_LABEL, FRONTDOOR_PKCS11_PIN (the token's user PIN; better
# FRONTDOOR_PKCS11_PIN_FILE, a file holding it) and FRONTDOOR_PKCS11_OTP_KEY_LABEL are
# set, authenticator keys are encrypted and decrypted inside the module (core.hsm,
# CKM_AES_GCM) under AES-256 key objects found by label, which never leave it:
# comma-separated labels, the first encrypting, every one decrypting, as
# FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS below (which then only decrypt what was encrypted
# before, until `manage.py reencrypt_otp_keys` has moved every key into the module).
# FRONTDOOR_PKCS11_PEPPER_KEY_LABEL (optional, comma-separated, the first current) names
# generic secret keys in the module that pepper passwords instead of
# FRONTDOOR_PASSWORD_PEPPER (agencies.hashers: the module computes the HMAC; hashes under
# the application's pepper still verify and are made again at the next sign-in).
# `manage.py create_pkcs11_keys` makes the key objects. Set in part, or unusable at
# start-up (agencies.checks), Front Door refuses to start: it never falls back to keys of
# its own while a module is configured.
_pkcs11_variables = {
    "MODULE": "FRONTDOOR_PKCS11_MODULE",
    "TOKEN_LABEL": "FRONTDOOR_PKCS11_TOKEN_LABEL",
    "PIN": "FRONTDOOR_PKCS11_PIN",
    "OTP_KEY_LABEL": "FRONTDOOR_PKCS11_OTP_KEY_LABEL",
}
_pkcs11_optional = {"PEPPER_KEY_LABEL": "FRONTDOOR_PKCS11_PEPPER_KEY_LABEL"}
_pkcs11 = {
    key: env_str(name, "") for key, name in {**_pkcs11_variables, **_pkcs11_optional}.items()
}
PKCS11: dict | None = None
if any(_pkcs11.values()):
    _missing = [
        name + (" (or FRONTDOOR_PKCS11_PIN_FILE)" if key == "PIN" else "")
        for key, name in _pkcs11_variables.items()
        if not _pkcs11[key]
    ]
    if _missing:
        raise ImproperlyConfigured(
            "A PKCS#11 security module is configured only in part: set "
            + ", ".join(_missing)
            + " as well, or none of the FRONTDOOR_PKCS11_ variables."
        )
    _module_path = Path(_pkcs11["MODULE"])
    if not _module_path.is_absolute() or not _module_path.is_file():
        raise ImproperlyConfigured(
            f"FRONTDOOR_PKCS11_MODULE must be the absolute path of the module's PKCS#11 "
            f"library (a .so file): {_module_path} is not one."
        )
    _otp_key_labels = [label.strip() for label in _pkcs11["OTP_KEY_LABEL"].split(",")]
    _labels_problem = (
        "a key label is empty" if not all(_otp_key_labels) else hsm.check_labels(_otp_key_labels)
    )
    if _labels_problem:
        raise ImproperlyConfigured(
            f"FRONTDOOR_PKCS11_OTP_KEY_LABEL must be the labels of the token's AES keys, "
            f"comma-separated, the first encrypting: {_labels_problem}."
        )
    _pepper_key_labels = [
        label.strip()
        for label in _pkcs11["PEPPER_KEY_LABEL"].split(",")
        if _pkcs11["PEPPER_KEY_LABEL"]
    ]
    if _pepper_key_labels and (
        not all(_pepper_key_labels)
        or hsm.check_labels(_pepper_key_labels)
        or set(_pepper_key_labels) & set(_otp_key_labels)
    ):
        raise ImproperlyConfigured(
            "FRONTDOOR_PKCS11_PEPPER_KEY_LABEL must be the labels of the token's generic "
            "secret keys, comma-separated, the first current, each given once and none of "
            "them one of FRONTDOOR_PKCS11_OTP_KEY_LABEL."
        )
    PKCS11 = {
        "MODULE": str(_module_path),
        "TOKEN_LABEL": _pkcs11["TOKEN_LABEL"],
        "PIN": _pkcs11["PIN"],
        "OTP_KEY_LABELS": _otp_key_labels,
        "PEPPER_KEY_LABELS": _pepper_key_labels,
    }

# The password pepper (agencies.hashers): a secret mixed into every password hash and kept
# out of the database. Production needs it set; the embedded mode and development make
# one under var/. FRONTDOOR_PASSWORD_PEPPER_FALLBACKS, comma-separated, are earlier
# peppers: hashes made with them still verify and are made again with the current one at
# the next sign-in.
PASSWORD_PEPPER = env_str("FRONTDOOR_PASSWORD_PEPPER", "") or (
    "" if PRODUCTION else _generated_secret("password_pepper", lambda: secrets.token_urlsafe(32))
)
PASSWORD_PEPPER_FALLBACKS = env_list("FRONTDOOR_PASSWORD_PEPPER_FALLBACKS", [])
# A pepper key in the security module (above) replaces it: then it may be left unset, or
# kept to verify the hashes it made until they have all been made again.
_module_peppers = bool(PKCS11 and PKCS11["PEPPER_KEY_LABELS"])
if PRODUCTION and (
    (_weak_secret(PASSWORD_PEPPER, minimum=32) and not (_module_peppers and not PASSWORD_PEPPER))
    or any(_weak_secret(pepper, minimum=32) for pepper in PASSWORD_PEPPER_FALLBACKS)
):
    raise ImproperlyConfigured(
        "FRONTDOOR_PASSWORD_PEPPER must be set to a random value of at least 32 characters "
        "when DJANGO_DEBUG is off (production mode), and so must each of "
        "FRONTDOOR_PASSWORD_PEPPER_FALLBACKS: "
        'python -c "import secrets; print(secrets.token_urlsafe(32))"'
    )

# Authenticator keys are encrypted in the database (agencies.otp_keys, AES-256-GCM) under
# these keys, never the secret key: comma-separated, each 32 random bytes in URL-safe
# base64; the first encrypts, every one decrypts, and `manage.py reencrypt_otp_keys`
# moves every authenticator to the first so that the others can be removed. Production
# needs them set unless a PKCS#11 module is (above); the embedded mode and development
# make one under var/.
_otp_keys = env_str("FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS", "") or (
    "" if PRODUCTION else _generated_secret("otp_key_encryption_key", encryption.new_key)
)
if not _otp_keys and PKCS11:
    OTP_KEY_ENCRYPTION_KEYS: list[bytes] = []
elif not _otp_keys:
    raise ImproperlyConfigured(
        "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS must be set when DJANGO_DEBUG is off (production "
        "mode): one or more keys, comma-separated, the first encrypting, each 32 random "
        'bytes in URL-safe base64: python -c "import secrets; print(secrets.token_urlsafe(32))"'
    )
else:
    try:
        OTP_KEY_ENCRYPTION_KEYS = encryption.parse_keys(_otp_keys)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS must be keys of 32 random bytes in URL-safe "
            f"base64, comma-separated: {exc}."
        ) from None
if _otp_keys and ({item.strip() for item in _otp_keys.split(",")} - {""}) & {
    SECRET_KEY,
    *SECRET_KEY_FALLBACKS,
    PASSWORD_PEPPER,
    *PASSWORD_PEPPER_FALLBACKS,
}:
    raise ImproperlyConfigured(
        "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS must be keys of their own, not the secret key "
        "or the password pepper."
    )

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# The front door's duty line, shown wherever a child may be in immediate danger.
DUTY_LINE = env_str("FRONTDOOR_DUTY_LINE", "0300 555 0100")

# The local authority's three-digit DfE LA code, sent in the CIN census return's header.
CENSUS_LA_CODE = env_str("FRONTDOOR_LA_CODE", "999")

# A referral still unallocated this long after it was received is flagged on the queue.
UNALLOCATED_FLAG_MINUTES = env_int("FRONTDOOR_UNALLOCATED_FLAG_MINUTES", 60, minimum=1)

# Break the glass: a referral decided this many days ago, whose child has no open
# referral, is a closed record; a screener or manager states why before opening it, and
# the reason holds for that record this many minutes (and never beyond the session).
BREAK_GLASS_CLOSED_AFTER_DAYS = env_int("FRONTDOOR_BREAK_GLASS_CLOSED_AFTER_DAYS", 30, minimum=1)
BREAK_GLASS_MINUTES = env_int("FRONTDOOR_BREAK_GLASS_MINUTES", 60, minimum=1)

# The address people reach Front Door at, used for links in emails.
BASE_URL = env_str("FRONTDOOR_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# The decision clock (core.clock): "24h", the default, is 24 hours in absolute time;
# "working_day" is one working day, skipping weekends and England and Wales bank holidays.
DECISION_CLOCK_POLICY = env_str("FRONTDOOR_DECISION_CLOCK", "24h")
if DECISION_CLOCK_POLICY not in {policy.value for policy in ClockPolicy}:
    raise ImproperlyConfigured(
        "FRONTDOOR_DECISION_CLOCK must be one of "
        f"{', '.join(repr(policy.value) for policy in ClockPolicy)}, "
        f"not {DECISION_CLOCK_POLICY!r}."
    )
DECISION_CLOCK_POLICY = ClockPolicy(DECISION_CLOCK_POLICY)
# A referral is "due soon" when fewer than this many hours are left on its clock.
DUE_SOON_HOURS = env_int("FRONTDOOR_DUE_SOON_HOURS", 4, minimum=1)
DUE_SOON = timedelta(hours=DUE_SOON_HOURS)
# Strategy-discussion minutes are due this many working days after the discussion.
MINUTES_DUE_WORKING_DAYS = env_int("FRONTDOOR_MINUTES_DUE_WORKING_DAYS", 1, minimum=1)
# Managers are told this many hours before the time a child must be seen by.
CHILD_SEEN_DUE_SOON = timedelta(hours=env_int("FRONTDOOR_CHILD_SEEN_DUE_SOON_HOURS", 4, minimum=1))

# --- Input bounds ----------------------------------------------------------------------

# The most children one referral (one submission) may name: each is a referral of its
# own with its own notices, so a thousand would send a thousand acknowledgements.
MAX_CHILDREN_PER_REFERRAL = env_int("FRONTDOOR_MAX_CHILDREN_PER_REFERRAL", 12, minimum=1)
# A referral draft, all its pages together, in characters; each field is bounded by its
# own maximum first (referrals.drafts). The default holds a draft with every field full
# and 12 children (about 140,000) with room to spare.
MAX_DRAFT_CHARACTERS = env_int("FRONTDOOR_MAX_DRAFT_CHARACTERS", 250_000, minimum=10_000)
# A referral the front door recorded for a caller (phone or email) may be received no
# longer ago than this, and never in the future.
RECEIVED_AT_MAX_AGE = timedelta(days=env_int("FRONTDOOR_RECEIVED_AT_MAX_AGE_DAYS", 7, minimum=1))

# --- Retention -------------------------------------------------------------------------

# A referral draft not sent and not saved for this many days is deleted (beat, nightly):
# it holds children's names, dates of birth and the worry as typed. A sent draft keeps
# none of that (referrals.drafts.submit_draft); the referral holds what was sent.
DRAFT_RETENTION_DAYS = env_int("FRONTDOOR_DRAFT_RETENTION_DAYS", 30, minimum=1)

INSTALLED_APPS = [
    "agencies.apps.FrontDoorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    # API tokens that expire and are stored hashed (agencies.ApiToken is knox's model).
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    # Front Door's own apps, bottom up: each imports only those listed before it
    # (import-linter's layers contract in pyproject.toml keeps it so).
    "agencies",
    "audit",
    "notices",
    "referrals",
    "triage",
    "reporting",
    "oversight",
    "demo",
    "frontdoor",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and API answers compressed for clients that ask (static files are not: WhiteNoise
    # above answers them with its own compressed copies). Outermost of what reads or writes
    # the body, so it compresses the final response; Django's GZip pads each response with
    # random bytes against BREACH, and the CSRF token is masked afresh on every page. Ours
    # is Django's at zlib's level 1 (a page's CPU; frontdoor.middleware.GZipMiddleware).
    "frontdoor.middleware.GZipMiddleware",
    "frontdoor.middleware.NoStoreMiddleware",
    # The security log names the client address of each event written in a request.
    "frontdoor.middleware.ClientAddressMiddleware",
    "frontdoor.middleware.ApiAttachmentMiddleware",
    # A redirect answered to htmx (a session that ran out, a second step still to give)
    # sends the whole window there, not the sign-in page into a piece of the page.
    "frontdoor.middleware.HtmxRedirectMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed two-step verification.
    "django_otp.middleware.OTPMiddleware",
    # Every refused request (401, 403, 404) is logged with the user's id: outside the
    # middleware below, so that it sees their refusals too.
    "frontdoor.middleware.RefusalLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "frontdoor.middleware.SessionTimeoutMiddleware",
    # Managers, auditors and administrators go no further than the verification step
    # until they have given a code (when FRONTDOOR_MFA_REQUIRED is on).
    "frontdoor.middleware.SecondFactorMiddleware",
    # Then someone whose password an administrator set goes no further than the password
    # page until they choose their own (agencies.recovery).
    "frontdoor.middleware.NewPasswordMiddleware",
    # A signed-in person's pages over FRONTDOOR_PAGE_RATE answer 429 (copying records out
    # through the website; the API has its own rate below).
    "frontdoor.middleware.PageRateMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "frontdoor.urls"
WSGI_APPLICATION = "frontdoor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontdoor.context_processors.front_door",
            ],
        },
    },
]

# Widgets render from our templates too (the GOV.UK date input).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

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

# --- Users, sign-in and sessions ------------------------------------------------------

AUTH_USER_MODEL = "agencies.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Words a password must not lean on, besides the person's own names, username and email
# and their agency's name: Front Door's own and the council's (FRONTDOOR_PASSWORD_LOCAL_WORDS
# adds the council's name, its places and the like, comma-separated).
PASSWORD_LOCAL_WORDS = [
    "front",
    "door",
    "frontdoor",
    "children",
    "childrens",
    "services",
    "social",
    "care",
    "safeguarding",
    "referral",
    "referrals",
    "mash",
    "council",
    "password",
    *env_list("FRONTDOOR_PASSWORD_LOCAL_WORDS", []),
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # zxcvbn's estimate of how many guesses the password would take (3: at least 10^8).
    {"NAME": "agencies.passwords.StrengthValidator", "OPTIONS": {"min_score": 3}},
    {"NAME": "agencies.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
]
# Passwords are hashed with the pepper first (agencies.hashers): PBKDF2-SHA256 with
# Django's iterations over HMAC-SHA256(pepper, password). The hashers after it only verify
# hashes made before the pepper, each made again with the first at its next sign-in.
PASSWORD_HASHERS = [
    "agencies.hashers.PepperedPBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Signed out after this long idle: 15 minutes in production, 30 in the embedded mode and
# development.
SESSION_IDLE_TIMEOUT = timedelta(
    minutes=env_int("FRONTDOOR_SESSION_IDLE_MINUTES", 15 if PRODUCTION else 30, minimum=1)
)
SESSION_ABSOLUTE_TIMEOUT = timedelta(
    hours=env_int("FRONTDOOR_SESSION_ABSOLUTE_HOURS", 12, minimum=1)
)
# How stale the kept last-seen time may be before a request writes it again (middleware.py):
# idle sessions end up to this much early; fewer requests write their session row.
SESSION_LAST_SEEN_RESOLUTION = timedelta(seconds=60)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
# Django's database sessions, each signed-in one listed on its owner's account page
# (agencies.session_store, agencies.browser_sessions).
SESSION_ENGINE = "agencies.session_store"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The long-lived cookie that makes a browser known to the accounts signed in from it, so
# that a sign-in from any other tells the account's owner (agencies.known_browsers).
KNOWN_BROWSER_COOKIE_NAME = "fd_browser"

# The proxies in front of Front Door that add to X-Forwarded-For. 0 (the default): the
# header is ignored and the address is the connection's own, because anyone can send the
# header; set it only when that many proxies of your own are in front and each appends the
# address it saw. Sign-in lockout, API throttling and the access log all use it.
TRUSTED_PROXY_COUNT = env_int("FRONTDOOR_PROXY_COUNT", 0, minimum=0)

# django-axes locks the pair of a username and an address, never the bare username or the
# bare address: five wrong passwords for the manager from one address do not lock the
# manager out from another, and nobody can lock everyone behind one address. The lockout
# lifts after the cool-off, and a failure during it starts the cool-off again, so repeated
# guessing from one place is slowed to a few tries an hour.
AXES_FAILURE_LIMIT = env_int("FRONTDOOR_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("FRONTDOOR_LOGIN_LOCKOUT_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_LOCKOUT_CALLABLE = "agencies.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "agencies.lockout.client_address"
AXES_RESET_ON_SUCCESS = True
# Administrators are alerted (inbox and email) when a sign-in is locked: at most once in
# this many minutes whatever the number of lockouts, so that guessing against many
# accounts cannot flood them (each lockout is in the security log and the admin's access
# attempts). 0 turns the alerts off.
LOCKOUT_ALERT_MINUTES = env_int("FRONTDOOR_LOCKOUT_ALERT_MINUTES", 60, minimum=0)
# Administrators and auditors are alerted (inbox and email) when someone's requests are
# refused for their rate (web pages or the API, by account; the token endpoint, by
# address): at most once for each account or address in this many minutes (each refusal
# is in the security log). 0 turns the alerts off.
RATE_ALERT_MINUTES = env_int("FRONTDOOR_RATE_ALERT_MINUTES", 15, minimum=0)

# Two-step verification (TOTP, django-otp) for managers, auditors and administrators. On
# in production; off by default in the embedded mode (`make run`, whose demo users sign in
# with a password only) and in development. FRONTDOOR_MFA_REQUIRED=true turns it on there.
MFA_REQUIRED = env_bool("FRONTDOOR_MFA_REQUIRED", PRODUCTION)
OTP_TOTP_ISSUER = env_str("FRONTDOOR_MFA_ISSUER", "Front Door")
# Each wrong code doubles the wait before the next is checked (1 s, 2 s, 4 s...).
OTP_TOTP_THROTTLE_FACTOR = 1
# The Django admin never shows a device's secret key or its QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# Security keys and passkeys (WebAuthn, agencies.security_keys): the relying party is the
# domain a key is registered for (the host people reach Front Door at, or a domain it is
# under; never an IP address: browsers refuse one). A key works only at that domain, so
# production needs it said rather than guessed. Development and the embedded mode use
# "localhost" (serve at http://localhost:PORT: browsers count localhost as secure over
# plain HTTP). FRONTDOOR_WEBAUTHN_ORIGINS, comma-separated, are the exact origins a key's
# answer may come from: by default FRONTDOOR_BASE_URL's in production, and outside it
# the page's own origin when its host is the relying party's domain.
WEBAUTHN_RP_ID = env_str("FRONTDOOR_WEBAUTHN_RP_ID", "" if PRODUCTION else "localhost").strip()
if not WEBAUTHN_RP_ID:
    raise ImproperlyConfigured(
        "FRONTDOOR_WEBAUTHN_RP_ID must be set when DJANGO_DEBUG is off (production mode): "
        "the domain security keys are registered for, such as frontdoor.example.gov.uk."
    )
WEBAUTHN_RP_NAME = env_str("FRONTDOOR_WEBAUTHN_RP_NAME", "Front Door")
WEBAUTHN_ORIGINS = env_list("FRONTDOOR_WEBAUTHN_ORIGINS", []) or (
    [_origin_of(BASE_URL)] if PRODUCTION else []
)
# How long the browser may wait for the key to be touched.
WEBAUTHN_TIMEOUT_MS = 120_000

# --- Security headers -----------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # The health check is asked over plain HTTP by the container's own probe.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # The __Host- prefix: browsers keep these cookies only if they came over HTTPS for
    # this host alone (Secure, Path=/, no Domain), so no sibling subdomain can set or
    # overwrite them (ASVS 3.4.4).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    KNOWN_BROWSER_COOKIE_NAME = "__Host-fd_browser"
    # Only when configured: behind no proxy, anyone could send X-Forwarded-Proto.
    if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation -------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files: our compiled CSS and GOV.UK / MOJ Frontend from npm ---------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    BASE_DIR / "static_build",
    ("govuk", NODE_MODULES / "govuk-frontend" / "dist" / "govuk"),
    ("moj", NODE_MODULES / "@ministryofjustice" / "frontend" / "moj"),
    # htmx, for the few parts of a page that update in place (htmx/htmx.min.js).
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
    # MOJ Frontend hands GOV.UK Frontend its own assets path ($moj-assets-path in
    # frontend/scss/app.scss), so the stylesheet asks for both packages' images in one
    # folder: collect both packages' assets into "assets/".
    ("assets", NODE_MODULES / "govuk-frontend" / "dist" / "govuk" / "assets"),
    ("assets", NODE_MODULES / "@ministryofjustice" / "frontend" / "moj" / "assets"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "frontdoor.storage.StaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside production nothing is collected: WhiteNoise serves from the source folders.
WHITENOISE_USE_FINDERS = not PRODUCTION

# --- Email ----------------------------------------------------------------------------

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "notices.mail.NoticeFileBackend",
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
# SMTP with STARTTLS by default in production (port 587, the submission port), or with
# implicit TLS (EMAIL_USE_SSL, port 465); without either in the embedded mode and
# development, which write email to files. Production refuses plain SMTP except to this
# machine under FRONTDOOR_ALLOW_PLAINTEXT_SERVICES=loopback (frontdoor.service_tls).
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", PRODUCTION and not EMAIL_USE_SSL)
EMAIL_PORT = env_int(
    "EMAIL_PORT", 465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25, minimum=1
)
_refuse(
    service_tls.smtp_problem(
        backend=EMAIL_BACKEND,
        host=EMAIL_HOST,
        use_tls=EMAIL_USE_TLS,
        use_ssl=EMAIL_USE_SSL,
        allow_loopback=_allow_loopback,
    )
)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "front-door@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    if PRODUCTION:
        raise ImproperlyConfigured(
            "CELERY_BROKER_URL must name a Redis broker when DJANGO_DEBUG is off "
            "(production mode); "
            "the file broker is for the embedded mode only (FRONTDOOR_EMBEDDED=true)."
        )
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("queue", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
elif not CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("CELERY_BROKER_URL must be a redis:// URL or filesystem://.")
else:
    _refuse(
        service_tls.redis_problem(
            "CELERY_BROKER_URL", CELERY_BROKER_URL, allow_loopback=_allow_loopback
        )
    )
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_TIMEOUT = 5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 100
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
SCAN_INTERVAL_SECONDS = env_int("FRONTDOOR_SCAN_SECONDS", 60, minimum=5)
PERFORMANCE_REFRESH_SECONDS = env_int("FRONTDOOR_PERFORMANCE_REFRESH_SECONDS", 300, minimum=30)
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "notices.heartbeat", "schedule": 60.0},
    "scan-clocks": {"task": "triage.scan_clocks", "schedule": float(SCAN_INTERVAL_SECONDS)},
    "sweep-outbox": {"task": "notices.sweep_outbox", "schedule": 60.0},
    # The performance figures' summary (reporting.tasks): this week and last every few
    # minutes, the last 13 weeks hourly, every week once a night.
    "performance-current-weeks": {
        "task": "reporting.refresh_current_weeks",
        "schedule": float(PERFORMANCE_REFRESH_SECONDS),
    },
    "performance-recent-weeks": {
        "task": "reporting.refresh_recent_weeks",
        "schedule": crontab(minute=20),
    },
    "performance-all-weeks": {
        "task": "reporting.refresh_all_weeks",
        "schedule": crontab(hour=2, minute=30),
    },
    # Sessions past their expiry, and the account page's rows of ended sessions
    # (agencies.tasks): Django's clearsessions, hourly.
    "clear-sessions": {
        "task": "agencies.clear_sessions",
        "schedule": crontab(minute=40),
    },
    # Unsent referral drafts older than DRAFT_RETENTION_DAYS (referrals.tasks).
    "purge-old-drafts": {
        "task": "referrals.purge_old_drafts",
        "schedule": crontab(hour=3, minute=15),
    },
}

# --- Notices --------------------------------------------------------------------------

# A referral still undecided this long after its due time is escalated to the head of
# service (usernames, comma-separated).
ESCALATE_AFTER = timedelta(hours=env_int("FRONTDOOR_ESCALATE_AFTER_HOURS", 4, minimum=1))
HEAD_OF_SERVICE_USERNAMES = env_list("FRONTDOOR_HEAD_OF_SERVICE", [])
# Delivery of an email notice: attempts before it is marked failed, and how long a
# worker may hold a claimed notice before another may take it over.
NOTICE_MAX_ATTEMPTS = env_int("FRONTDOOR_NOTICE_MAX_ATTEMPTS", 8, minimum=1)
NOTICE_CLAIM_LEASE = timedelta(seconds=env_int("FRONTDOOR_NOTICE_LEASE_SECONDS", 300, minimum=30))
# /health/ answers 503 when the oldest undelivered notice or the last scan is older.
HEALTH_MAX_PENDING_AGE = timedelta(
    minutes=env_int("FRONTDOOR_HEALTH_MAX_PENDING_MINUTES", 15, minimum=1)
)
HEALTH_MAX_SCAN_AGE = timedelta(minutes=env_int("FRONTDOOR_HEALTH_MAX_SCAN_MINUTES", 5, minimum=1))

# --- REST API -------------------------------------------------------------------------

# API tokens (django-rest-knox): stored as SHA-512 digests, each ending after
# FRONTDOOR_API_TOKEN_IDLE_MINUTES unused, after FRONTDOOR_API_TOKEN_HOURS however much it
# is used, at sign-out, at a password change, or when its owner or an administrator
# revokes it. Sent as "Authorization: Token <token>".
#
# The idle limit is knox's own: a token's expiry is TOKEN_TTL after it was last used
# (AUTO_REFRESH), never past AUTO_REFRESH_MAX_TTL after it was issued. knox moves the
# expiry forward only when it would move by more than MIN_REFRESH_INTERVAL seconds, so a
# token's row is written at most once a minute however many requests it signs, and a
# token goes at most that much sooner than exactly idle minutes after its last use.
# 30 minutes: ASVS 3.3.2's level 2 idle limit; the systems that use tokens (partner
# agencies' systems sending referrals) keep one alive while they work, and one quiet for
# longer asks for a new token, as it must every 8 hours anyway.
API_TOKEN_HOURS = env_int("FRONTDOOR_API_TOKEN_HOURS", 8, minimum=1)
API_TOKEN_IDLE_MINUTES = env_int("FRONTDOOR_API_TOKEN_IDLE_MINUTES", 30, minimum=2)
if API_TOKEN_IDLE_MINUTES > API_TOKEN_HOURS * 60:
    raise ImproperlyConfigured(
        f"FRONTDOOR_API_TOKEN_IDLE_MINUTES ({API_TOKEN_IDLE_MINUTES}) must not be longer "
        f"than FRONTDOOR_API_TOKEN_HOURS ({API_TOKEN_HOURS} hours): a token is never kept "
        "past that."
    )
API_TOKEN_REFRESH_SECONDS = 60
KNOX_TOKEN_MODEL = "agencies.ApiToken"
# knox's own migrations make its table even though its model is swapped for ours; with
# none, no knox_authtoken table exists (a swapped model is never created), so nothing
# unused holds a foreign key to the users (PostgreSQL's TRUNCATE refused one).
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(minutes=API_TOKEN_IDLE_MINUTES),
    "AUTO_REFRESH": True,
    "MIN_REFRESH_INTERVAL": API_TOKEN_REFRESH_SECONDS,
    "AUTO_REFRESH_MAX_TTL": timedelta(hours=API_TOKEN_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_MODEL": KNOX_TOKEN_MODEL,
}


def _rate(name: str, default: str, *, may_be_off: bool = False) -> str | None:
    """A rate as Django REST framework reads it: a number, a slash and a period whose
    first letter is s, m, h or d ("120/minute"); checked here, so that a mistyped one
    stops the start with its name rather than failing every request."""
    value = env_str(name, default).strip()
    if may_be_off and value.lower() == "off":
        return None
    number, _, period = value.partition("/")
    if not (number.isdigit() and int(number) > 0 and period[:1] in ("s", "m", "h", "d")):
        raise ImproperlyConfigured(
            f"{name} must be a number of requests a second, minute, hour or day, such as "
            f"{default!r}{' (or off for no limit)' if may_be_off else ''}."
        )
    return value


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # knox's, refusing the token of someone who must first choose a new password.
        "agencies.api_auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the browsable API's HTML pages only for developers (DEBUG on).
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    # Each signed-in user's requests to the API, and each address's requests for a token;
    # over the rate, 429 with Retry-After. The address is worked out as everywhere else
    # (NUM_PROXIES: X-Forwarded-For only when FRONTDOOR_PROXY_COUNT says so).
    # DRF's UserRateThrottle, alerting the administrators and auditors of a refusal
    # (FRONTDOOR_RATE_ALERT_MINUTES).
    "DEFAULT_THROTTLE_CLASSES": ["agencies.rates.ApiRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": _rate("FRONTDOOR_API_RATE", "120/minute"),
        "token": _rate("FRONTDOOR_TOKEN_RATE", "10/minute"),
        # Web pages read, each signed-in person (frontdoor.middleware.PageRateMiddleware);
        # "off" turns the limit off.
        "page": _rate("FRONTDOOR_PAGE_RATE", "240/minute", may_be_off=True),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    # JSON bodies only, each at most MAX_JSON_BYTES: what the schema documents, and the
    # one encoding in which a number, a string and true/false can be told apart.
    "DEFAULT_PARSER_CLASSES": ["referrals.parsers.BoundedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "frontdoor.api_schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "frontdoor.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Front Door API",
    "DESCRIPTION": "Referrals to a children's services front door, and their decisions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Tags and operation ids from the path after the version: "referrals", not "v1".
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # The census code lists under their own names rather than one per field.
    "ENUM_NAME_OVERRIDES": {
        "ConcernCategory": "referrals.census.ConcernCategory",
        "Disability": "referrals.census.Disability",
        "Ethnicity": "referrals.census.Ethnicity",
        "Gender": "referrals.census.Gender",
        "Religion": "referrals.census.Religion",
        "CallerType": "referrals.census.CallerType",
        "ParentalConsent": "referrals.models.ParentalConsent",
        "ReferralStatus": "referrals.models.Status",
        "Outcome": "referrals.models.Outcome",
        "DiscussionKind": "triage.models.strategy.DiscussionKind",
        "NoticeKind": "notices.models.NoticeKind",
        "AgencyType": "agencies.census.AgencyType",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Health ---------------------------------------------------------------------------

HEALTH_BROKER_TIMEOUT_SECONDS = env_int("FRONTDOOR_HEALTH_BROKER_TIMEOUT", 3, minimum=1)
# Anonymous /health/ says only "ok" or not. The details (database, broker, worker, outbox)
# are for a signed-in administrator, or a monitor sending this value in the
# X-Health-Token header (unset: no token opens them).
HEALTH_TOKEN = env_str("FRONTDOOR_HEALTH_TOKEN", "")

# --- Cache: API throttling counts here ------------------------------------------------

# A Redis database shared by every web process, so that a rate is a rate across them all
# (gunicorn runs several); production refuses to start without one. Elsewhere (make run,
# the tests, the embedded mode) each process's own memory unless FRONTDOOR_CACHE_URL is set.
CACHE_URL = env_str("FRONTDOOR_CACHE_URL", "")
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("FRONTDOOR_CACHE_URL must be a redis:// URL.")
if not CACHE_URL:
    _refuse(
        "FRONTDOOR_CACHE_URL must be set when DJANGO_DEBUG is off: a Redis database every web "
        "process reaches (the broker's Redis under another database number will do), so that "
        "the API and page rates hold across the processes rather than once in each."
    )
if CACHE_URL:
    _refuse(
        service_tls.redis_problem("FRONTDOOR_CACHE_URL", CACHE_URL, allow_loopback=_allow_loopback)
    )
# Its keys begin "frontdoor:", which Redis's ACL for the app allows (deploy/redis/users.conf).
CACHES = {
    "default": {
        # Django's, reusing its redis-py client (frontdoor.redis_cache).
        "BACKEND": "frontdoor.redis_cache.RedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "frontdoor",
    }
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

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
