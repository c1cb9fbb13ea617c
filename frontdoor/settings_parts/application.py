"""The hosts; the front door's own rules (the duty line, the decision clock, input
bounds, retention); the apps, the middleware and the templates."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from core.clock import ClockPolicy
from frontdoor.env import env_int, env_list, env_str
from frontdoor.settings_parts.base import BASE_DIR, PRODUCTION

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

# The council's privacy notice for the front door (what it collects about children,
# families and staff, why, for how long, and people's rights): the council writes it,
# Front Door links to it from every page's footer and from the referral form. Empty: no
# link (`check --deploy` warns in production, frontdoor.W001).
PRIVACY_NOTICE_URL = env_str("FRONTDOOR_PRIVACY_NOTICE_URL", "").strip()
if (
    PRIVACY_NOTICE_URL
    and not (
        PRIVACY_NOTICE_URL.startswith("https://")
        or (not PRODUCTION and PRIVACY_NOTICE_URL.startswith("http://"))
    )
    or any(c.isspace() or c in "<>\"'" for c in PRIVACY_NOTICE_URL)
):
    raise ImproperlyConfigured(
        "FRONTDOOR_PRIVACY_NOTICE_URL must be the address of the council's privacy notice, "
        f"starting https://, not {PRIVACY_NOTICE_URL!r}."
    )

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
# How far ahead a time set as due may be (triage.moments): an information request's
# answer (asked for in hours, to inform a decision due within 24; two weeks covers a
# referral held longer and a holiday), the time a child must be seen by after a strategy
# discussion (a matter of days; a month is already beyond any plan), and an action
# agreed at a discussion (some run to a review months on; a year is the outside).
INFORMATION_REQUEST_DUE_WITHIN = timedelta(
    days=env_int("FRONTDOOR_INFORMATION_REQUEST_DUE_WITHIN_DAYS", 14, minimum=1)
)
SEE_CHILD_BY_WITHIN = timedelta(days=env_int("FRONTDOOR_SEE_CHILD_BY_WITHIN_DAYS", 30, minimum=1))
ACTION_DUE_WITHIN = timedelta(days=env_int("FRONTDOOR_ACTION_DUE_WITHIN_DAYS", 365, minimum=1))

# --- Retention -------------------------------------------------------------------------

# A referral draft not sent and not saved for this many days is deleted (beat, nightly):
# it holds children's names, dates of birth and the worry as typed. A sent draft keeps
# none of that (referrals.drafts.submit_draft); the referral holds what was sent.
DRAFT_RETENTION_DAYS = env_int("FRONTDOOR_DRAFT_RETENTION_DAYS", 30, minimum=1)

# Case records (oversight.retention; ``manage.py retention_review`` lists what is due,
# ``manage.py retention_erase`` erases it). The defaults are a starting point a council
# will recognise, not a decision: the council's retention schedule, set with its Data
# Protection Officer, says how long (docs/DATA.md, "How long things are kept").
# A child's records are kept until their birthday at this age (the unborn: from the
# expected date)...
RETENTION_CHILD_UNTIL_AGE = env_int("FRONTDOOR_RETENTION_CHILD_UNTIL_AGE", 25, minimum=18)
# ...and at least this many years after the last activity on any of their referrals
# (received, decided, amended, challenged, discussed, answered), whichever is later. A
# child with no date of birth is kept for the longer of the two after the last activity.
RETENTION_YEARS_AFTER_LAST_ACTIVITY = env_int(
    "FRONTDOOR_RETENTION_YEARS_AFTER_LAST_ACTIVITY", 6, minimum=1
)
# Rows of the access log and audit events older than these many years are erased.
RETENTION_ACCESS_LOG_YEARS = env_int("FRONTDOOR_RETENTION_ACCESS_LOG_YEARS", 6, minimum=1)
RETENTION_AUDIT_EVENT_YEARS = env_int("FRONTDOOR_RETENTION_AUDIT_EVENT_YEARS", 6, minimum=1)
# Notifications (the inbox's notices and the outbox's emails) delivered longer ago than
# this many days are erased by retention_erase: an inbox notice (delivered when written,
# read or not) and an email sent. Never an email still to send or failed (``manage.py
# notices --retry`` may send it yet), nor a referrer's feedback notice, which stays with
# its case as the record that the referrer was told (oversight.retention).
RETENTION_NOTIFICATION_DAYS = env_int("FRONTDOOR_RETENTION_NOTIFICATION_DAYS", 365, minimum=30)

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
    # WhiteNoise, serving only the extensions frontdoor/staticfiles.py allows.
    "frontdoor.staticfiles.WhiteNoiseMiddleware",
    # Pages and API answers compressed for clients that ask (static files are not: WhiteNoise
    # above answers them with its own compressed copies). Outermost of what reads or writes
    # the body, so it compresses the final response; Django's GZip pads each response with
    # random bytes against BREACH, and the CSRF token is masked afresh on every page. Ours
    # is Django's at zlib's level 1 (a page's CPU; frontdoor.middleware.GZipMiddleware).
    "frontdoor.middleware.GZipMiddleware",
    "frontdoor.middleware.NoStoreMiddleware",
    # A page shown with an error summary: "Error: " first in its title (GOV.UK's pattern).
    "frontdoor.middleware.ErrorTitleMiddleware",
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
