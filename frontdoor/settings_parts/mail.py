"""Email, the Celery broker and the beat schedule, and the notices' delivery."""

from __future__ import annotations

from datetime import timedelta

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from frontdoor import service_tls
from frontdoor.env import env_bool, env_int, env_list, env_str
from frontdoor.settings_parts.base import PRODUCTION, VAR_DIR
from frontdoor.settings_parts.database import _allow_loopback, _refuse

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
    # Emails still unsent EMAIL_GIVE_UP_AFTER after they were queued: marked failed and
    # told to the administrators (notices.tasks).
    "give-up-expired-emails": {"task": "notices.give_up_expired_emails", "schedule": 600.0},
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
    # The keys' ages and the certificates' end dates (oversight.tasks): a warning in the
    # security log for each key past its cryptoperiod or certificate near its end.
    "check-key-ages": {
        "task": "oversight.check_key_ages",
        "schedule": crontab(hour=7, minute=5),
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
# An email still unsent this long after it was written (or put back by manage.py notices
# --retry) is given up: marked failed, "expired without being sent", and the
# administrators told as of any failure. Far longer than its attempts take: 8 attempts,
# each retried within about 12 minutes of the last (the back-off's 10 minutes at most, or
# the sweeper's minute after it), are spent in under 2 hours. Only something stuck (the
# relay or the workers down for days, a row left sending) leaves one this long.
EMAIL_GIVE_UP_AFTER = timedelta(hours=env_int("FRONTDOOR_EMAIL_GIVE_UP_HOURS", 72, minimum=24))
# /health/ answers 503 when the oldest undelivered notice or the last scan is older.
HEALTH_MAX_PENDING_AGE = timedelta(
    minutes=env_int("FRONTDOOR_HEALTH_MAX_PENDING_MINUTES", 15, minimum=1)
)
HEALTH_MAX_SCAN_AGE = timedelta(minutes=env_int("FRONTDOOR_HEALTH_MAX_SCAN_MINUTES", 5, minimum=1))
# An email that fails for good is told to the administrators in their inbox, at most once
# in this many minutes however many fail (every one is in the admin's list of emails).
FAILED_EMAIL_ALERT_MINUTES = env_int("FRONTDOOR_FAILED_EMAIL_ALERT_MINUTES", 60, minimum=1)
# /health/'s details count the emails that failed for good in this many hours, and say
# not ok while there is one (the status and its 503 do not change: see frontdoor/health.py).
HEALTH_FAILED_EMAIL_WINDOW = timedelta(
    hours=env_int("FRONTDOOR_HEALTH_FAILED_EMAIL_HOURS", 24, minimum=1)
)
