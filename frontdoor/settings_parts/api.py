"""The REST API (its tokens, rates and schema), the health check, and the cache the
rates are counted in."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from frontdoor import service_tls
from frontdoor.env import env_int, env_str
from frontdoor.settings_parts.base import DEBUG
from frontdoor.settings_parts.database import _allow_loopback, _refuse
from frontdoor.settings_parts.sign_in import TRUSTED_PROXY_COUNT

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
        "ParentalConsent": "referrals.models.choices.ParentalConsent",
        "ReferralStatus": "referrals.models.choices.Status",
        "Outcome": "referrals.models.choices.Outcome",
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
# Whether every process reads the same cache (Redis), not each its own memory. What a
# process keeps between requests on the cache's word relies on it: signed-in sessions read
# from the cache (agencies.session_store) and the lists of agencies and staff the queue's
# filters offer (agencies.list_version); without it they are read from the database.
CACHE_SHARED = bool(CACHE_URL)
# Its keys begin "frontdoor:", which Redis's ACL for the app allows (deploy/redis/users.conf).
CACHES = {
    "default": {
        # Django's, reusing its redis-py client (frontdoor.redis_cache).
        "BACKEND": "frontdoor.redis_cache.RedisCache",
        "LOCATION": CACHE_URL,
        "KEY_PREFIX": "frontdoor",
        # JSON, never pickle (frontdoor.redis_cache.JSONSerializer).
        "OPTIONS": {"serializer": "frontdoor.redis_cache.JSONSerializer"},
    }
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
