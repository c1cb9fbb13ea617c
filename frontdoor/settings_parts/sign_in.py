"""Users, passwords, sign-in, sessions, lockout, two-step verification and security
keys; the security headers and, in production, the secure cookies."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from frontdoor.env import env_bool, env_int, env_list, env_str
from frontdoor.settings_parts.application import BASE_URL
from frontdoor.settings_parts.base import PRODUCTION

# --- Users, sign-in and sessions ------------------------------------------------------

AUTH_USER_MODEL = "agencies.User"
# Django's model backend, reading the user's agency with the user (agencies.auth_backend).
# A session names the backend that signed it in: those signed in under Django's own
# before this one replaced it are signed out once, at their next request.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "agencies.auth_backend.ModelBackend",
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
# "Confirm it is you" (agencies.reauth): revoking API tokens and an administrator's
# changes to accounts, authenticators, security keys and lockouts need the password (and
# second factor) given again, or a sign-in, within this many minutes.
REAUTH_MINUTES = env_int("FRONTDOOR_REAUTH_MINUTES", 10, minimum=1)
# How stale the kept last-seen time may be before a request writes it again (middleware.py):
# idle sessions end up to this much early; fewer requests write their session row.
SESSION_LAST_SEEN_RESOLUTION = timedelta(seconds=60)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
# Django's cached database sessions (read from the cache, CACHES, kept in the database too),
# each signed-in one listed on its owner's account page (agencies.session_store,
# agencies.browser_sessions).
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
# axes would otherwise keep every successful sign-in (username, address, the whole user
# agent string) for ever; the security log records each by user id and address.
AXES_DISABLE_ACCESS_LOG = True
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
# Administrators and auditors are alerted (inbox and email) when one signed-in account
# (a web session or an API token's user) has more than REFUSAL_ALERT_COUNT accesses
# refused (403, or 404 for a record outside its scope) in the last REFUSAL_ALERT_MINUTES,
# then not again for that account for that many minutes (each refusal is in the security
# log; agencies.refusals). Either 0 turns the alerts off.
REFUSAL_ALERT_COUNT = env_int("FRONTDOOR_REFUSAL_ALERT_COUNT", 20, minimum=0)
REFUSAL_ALERT_MINUTES = env_int("FRONTDOOR_REFUSAL_ALERT_MINUTES", 10, minimum=0)

# Two-step verification (TOTP, django-otp) for managers, auditors and administrators. On
# in production; off by default in the embedded mode (`make run`, whose demo users sign in
# with a password only) and in development. FRONTDOOR_MFA_REQUIRED=true turns it on there.
MFA_REQUIRED = env_bool("FRONTDOOR_MFA_REQUIRED", PRODUCTION)
# Other roles whose sign-in needs the second step as well, by their value (screener,
# agency_lead, referrer, partner): a council adopting ASVS level 3's sessions sets
# FRONTDOOR_MFA_ALSO_FOR=screener (screeners read every referral). Managers, auditors and
# administrators always need it; a value that names no role stops the start
# (agencies.checks).
MFA_ALSO_FOR = env_list("FRONTDOOR_MFA_ALSO_FOR", [])
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
# Django's page, the refusal marked as not counting towards the many-refusals alert.
CSRF_FAILURE_VIEW = "frontdoor.errors.csrf_failure"
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
