"""Settings fail loud: each case starts a fresh interpreter with its own environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "-production-like-secret-key-for-tests-0123456789"
PRODUCTION_LIKE = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": GOOD_KEY,
    "DJANGO_ALLOWED_HOSTS": "frontdoor.example.gov.uk",
    # TLS with the server's certificate verified, and Redis with a password (production
    # refuses less: tests/frontdoor/test_service_tls.py).
    "DATABASE_URL": "postgres://frontdoor:secret@db.internal:5432/frontdoor"
    "?sslmode=verify-full&sslrootcert=system",
    "CELERY_BROKER_URL": "rediss://:secret@redis.internal:6380/0?ssl_cert_reqs=required",
    "FRONTDOOR_CACHE_URL": "rediss://:secret@redis.internal:6380/1?ssl_cert_reqs=required",
    "FRONTDOOR_PASSWORD_PEPPER": "p" * 10 + "-production-like-pepper-for-tests-0123",
    "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1saWtlLW90cC1rZXktZm9yLXRlc3Q",
    "FRONTDOOR_WEBAUTHN_RP_ID": "frontdoor.example.gov.uk",
    "FRONTDOOR_PRIVACY_NOTICE_URL": "https://www.example.gov.uk/privacy/front-door",
}
CONFIG_VARIABLES = [
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_SECRET_KEY_FALLBACKS",
    "FRONTDOOR_PASSWORD_PEPPER",
    "FRONTDOOR_PASSWORD_PEPPER_FALLBACKS",
    "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS",
    "FRONTDOOR_PKCS11_MODULE",
    "FRONTDOOR_PKCS11_TOKEN_LABEL",
    "FRONTDOOR_PKCS11_PIN",
    "FRONTDOOR_PKCS11_PIN_FILE",
    "FRONTDOOR_PKCS11_OTP_KEY_LABEL",
    "FRONTDOOR_PKCS11_PEPPER_KEY_LABEL",
    "FRONTDOOR_WEBAUTHN_RP_ID",
    "FRONTDOOR_WEBAUTHN_ORIGINS",
    "FRONTDOOR_WEBAUTHN_RP_NAME",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "CELERY_BROKER_URL",
    "FRONTDOOR_CACHE_URL",
    "FRONTDOOR_ALLOW_PLAINTEXT_SERVICES",
    "EMAIL_PORT",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "FRONTDOOR_LOG_FORWARD_URL",
    "FRONTDOOR_LOG_FORWARD_ALLOW_PLAINTEXT",
    "FRONTDOOR_SESSION_IDLE_MINUTES",
    "FRONTDOOR_PAGE_RATE",
    "FRONTDOOR_API_RATE",
    "FRONTDOOR_TOKEN_RATE",
    "FRONTDOOR_RATE_ALERT_MINUTES",
    "FRONTDOOR_REFUSAL_ALERT_COUNT",
    "FRONTDOOR_REFUSAL_ALERT_MINUTES",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "FRONTDOOR_EMBEDDED",
    "FRONTDOOR_PRIVACY_NOTICE_URL",
]


def run_django(code: str, tmp_path, **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    environment.update(
        DJANGO_SETTINGS_MODULE="frontdoor.settings", FRONTDOOR_VAR_DIR=str(tmp_path), **env
    )
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def manage(args: list[str], tmp_path, **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    environment.update(FRONTDOOR_VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_the_default_secret_key(tmp_path):
    env = {**PRODUCTION_LIKE}
    del env["DJANGO_SECRET_KEY"]

    result = run_django("", tmp_path, **env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_sqlite(tmp_path):
    env = {**PRODUCTION_LIKE, "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}

    result = run_django("", tmp_path, **env)

    assert result.returncode != 0
    assert "DATABASE_URL must name a PostgreSQL database" in result.stderr


def test_production_refuses_the_file_broker(tmp_path):
    env = {**PRODUCTION_LIKE, "CELERY_BROKER_URL": "filesystem://"}

    result = run_django("", tmp_path, **env)

    assert result.returncode != 0
    assert "CELERY_BROKER_URL must name a Redis broker" in result.stderr


def test_production_needs_a_shared_cache_for_the_rates(tmp_path):
    env = {k: v for k, v in PRODUCTION_LIKE.items() if k != "FRONTDOOR_CACHE_URL"}

    result = run_django("", tmp_path, **env)

    assert result.returncode != 0
    assert "FRONTDOOR_CACHE_URL must be set when DJANGO_DEBUG is off" in result.stderr


def test_production_needs_allowed_hosts(tmp_path):
    env = {**PRODUCTION_LIKE}
    del env["DJANGO_ALLOWED_HOSTS"]

    result = run_django("", tmp_path, **env)

    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG must be one of true/false"),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT must be a whole number, not 'twenty-five'"),
        (
            "FRONTDOOR_SESSION_IDLE_MINUTES",
            "0",
            "FRONTDOOR_SESSION_IDLE_MINUTES must be at least 1",
        ),
        ("DATABASE_URL", "mysql://root@localhost/frontdoor", "DATABASE_URL must name a PostgreSQL"),
        ("CELERY_BROKER_URL", "amqp://guest@localhost//", "CELERY_BROKER_URL must be a redis://"),
        ("FRONTDOOR_PAGE_RATE", "240 a minute", "FRONTDOOR_PAGE_RATE must be a number of"),
        ("FRONTDOOR_API_RATE", "0/minute", "FRONTDOOR_API_RATE must be a number of"),
        ("FRONTDOOR_TOKEN_RATE", "10/fortnight", "FRONTDOOR_TOKEN_RATE must be a number of"),
        (
            "FRONTDOOR_RATE_ALERT_MINUTES",
            "a quarter of an hour",
            "FRONTDOOR_RATE_ALERT_MINUTES must be a whole number",
        ),
        ("FRONTDOOR_RATE_ALERT_MINUTES", "-1", "FRONTDOOR_RATE_ALERT_MINUTES must be at least 0"),
        (
            "FRONTDOOR_REFUSAL_ALERT_COUNT",
            "twenty",
            "FRONTDOOR_REFUSAL_ALERT_COUNT must be a whole number",
        ),
        (
            "FRONTDOOR_REFUSAL_ALERT_MINUTES",
            "-1",
            "FRONTDOOR_REFUSAL_ALERT_MINUTES must be at least 0",
        ),
    ],
)
def test_a_value_that_cannot_be_read_stops_start_up_naming_the_variable(
    tmp_path, variable, value, message
):
    env = {"DJANGO_DEBUG": "true", variable: value}

    result = run_django("", tmp_path, **env)

    assert result.returncode != 0
    assert message in result.stderr


def test_embedded_defaults_use_sqlite_and_the_file_broker(tmp_path):
    result = run_django(
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.TIME_ZONE, s.USE_TZ, "
        "s.DATABASES['default']['OPTIONS']['transaction_mode'])",
        tmp_path,
        DJANGO_DEBUG="true",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://",
        "Europe/London",
        "True",
        "IMMEDIATE",
    ]


def test_check_deploy_passes_with_production_like_variables(tmp_path):
    result = manage(["check", "--deploy", "--fail-level", "WARNING"], tmp_path, **PRODUCTION_LIKE)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_no_privacy_notice_is_linked(tmp_path):
    without = {**PRODUCTION_LIKE, "FRONTDOOR_PRIVACY_NOTICE_URL": ""}

    result = manage(["check", "--deploy", "--fail-level", "WARNING"], tmp_path, **without)

    assert result.returncode != 0
    assert "frontdoor.W001" in result.stdout + result.stderr
    assert "FRONTDOOR_PRIVACY_NOTICE_URL is not set" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "address",
    [
        "http://www.example.gov.uk/privacy",
        "javascript:alert(1)",
        "https://x.example/a b",
        "/privacy",
    ],
)
def test_production_refuses_a_privacy_notice_address_that_is_not_https(tmp_path, address):
    result = run_django(
        "", tmp_path, **{**PRODUCTION_LIKE, "FRONTDOOR_PRIVACY_NOTICE_URL": address}
    )

    assert result.returncode != 0
    assert "FRONTDOOR_PRIVACY_NOTICE_URL must be the address" in result.stderr


def test_production_sends_hsts_and_secure_cookies(tmp_path):
    result = run_django(
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, "
        "s.SESSION_COOKIE_DOMAIN, s.CSRF_COOKIE_DOMAIN, s.SESSION_COOKIE_PATH, s.CSRF_COOKIE_PATH, "
        "s.KNOWN_BROWSER_COOKIE_NAME)",
        tmp_path,
        **PRODUCTION_LIKE,
    )

    assert result.returncode == 0, result.stderr
    # The __Host- prefix holds only with Secure, Path=/ and no Domain: browsers drop it
    # otherwise, so all three are checked with the names.
    assert result.stdout.split() == [
        "31536000",
        "True",
        "True",
        "True",
        "__Host-sessionid",
        "__Host-csrftoken",
        "None",
        "None",
        "/",
        "/",
        # The known-browser cookie (agencies.known_browsers) sets Secure and Path=/ itself
        # wherever the session cookie is Secure, and never a Domain.
        "__Host-fd_browser",
    ]


def test_seed_demo_refuses_to_run_in_production_mode(tmp_path):
    result = manage(["seed_demo"], tmp_path, **PRODUCTION_LIKE)

    assert result.returncode != 0
    assert "seed_demo refuses to run in production mode" in result.stderr


EMBEDDED = {"FRONTDOOR_EMBEDDED": "true"}


def test_the_embedded_mode_runs_with_debug_off_on_sqlite_and_the_file_broker(tmp_path):
    result = run_django(
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.PRODUCTION, s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)",
        tmp_path,
        **EMBEDDED,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "False",
        "django.db.backends.sqlite3",
        "filesystem://",
    ]


def test_the_embedded_mode_generates_its_secret_key_once_and_keeps_it(tmp_path):
    code = "from django.conf import settings as s; print(s.SECRET_KEY)"

    first = run_django(code, tmp_path, **EMBEDDED)
    second = run_django(code, tmp_path, **EMBEDDED)
    other_install = run_django(code, tmp_path / "other", **EMBEDDED)

    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) >= 50 and "insecure" not in key
    assert second.stdout.strip() == key
    assert other_install.stdout.strip() != key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_a_missing_page_in_the_embedded_mode_is_the_projects_404_without_url_patterns(
    tmp_path,
):
    result = run_django(
        "from django.test import Client; "
        "r = Client().get('/no-such-page/'); "
        "print(r.status_code); print(r.content.decode())",
        tmp_path,
        **EMBEDDED,
    )

    assert result.returncode == 0, result.stderr
    status, _, body = result.stdout.partition("\n")
    assert status == "404"
    assert "Page not found" in body
    assert "URLconf" not in body and "accounts/login/" not in body


def test_production_without_the_embedded_mode_still_refuses_sqlite(tmp_path):
    env = {k: v for k, v in PRODUCTION_LIKE.items() if k != "DATABASE_URL"}

    result = run_django("", tmp_path, **env)

    assert result.returncode != 0
    assert "FRONTDOOR_EMBEDDED" in result.stderr


# --- Quiet and safe defaults (issue 13) -------------------------------------------------

READ_SECURITY_DEFAULTS = (
    "from django.conf import settings as s; "
    "print(s.EMAIL_USE_TLS, s.EMAIL_PORT, int(s.SESSION_IDLE_TIMEOUT.total_seconds() // 60), "
    "s.MFA_REQUIRED, getattr(s, 'SECURE_PROXY_SSL_HEADER', None) is not None, "
    "s.TRUSTED_PROXY_COUNT, s.REST_FRAMEWORK['NUM_PROXIES'], "
    "[r.rsplit('.', 1)[1] for r in s.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES']], "
    "s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']['page'])"
)


def test_production_defaults_are_the_safe_ones(tmp_path):
    """SMTP with TLS, a 15-minute idle limit, two-step verification, no proxy header
    trusted, JSON only from the API (no browsable pages), and a rate on pages read."""
    result = run_django(READ_SECURITY_DEFAULTS, tmp_path, **PRODUCTION_LIKE)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True 587 15 True False 0 0 ['JSONRenderer'] 240/minute"


def test_the_embedded_mode_keeps_demo_sign_in_simple_and_the_api_json_only(tmp_path):
    result = run_django(READ_SECURITY_DEFAULTS, tmp_path, **EMBEDDED)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False 25 30 False False 0 0 ['JSONRenderer'] 240/minute"


def test_development_offers_the_browsable_api(tmp_path):
    result = run_django(READ_SECURITY_DEFAULTS, tmp_path, DJANGO_DEBUG="true")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("['JSONRenderer', 'BrowsableAPIRenderer'] 240/minute")


def test_proxies_are_trusted_only_when_configured(tmp_path):
    result = run_django(
        READ_SECURITY_DEFAULTS,
        tmp_path,
        **PRODUCTION_LIKE,
        DJANGO_BEHIND_TLS_PROXY="true",
        FRONTDOOR_PROXY_COUNT="1",
        # Plain SMTP to a relay on this machine (production refuses it elsewhere:
        # tests/frontdoor/test_service_tls_mail_and_logs.py).
        EMAIL_USE_TLS="false",
        FRONTDOOR_ALLOW_PLAINTEXT_SERVICES="loopback",
        FRONTDOOR_MFA_REQUIRED="false",
        FRONTDOOR_SESSION_IDLE_MINUTES="20",
        FRONTDOOR_PAGE_RATE="off",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False 25 20 False True 1 1 ['JSONRenderer'] None"


def test_an_api_page_asked_for_by_a_browser_is_json_without_debug(tmp_path):
    result = run_django(
        "from django.test import Client; "
        "r = Client().get('/api/v1/agencies/', "
        "HTTP_ACCEPT='text/html,application/xhtml+xml,*/*;q=0.8'); "
        "print(r.status_code, r['Content-Type']); print(r.content.decode())",
        tmp_path,
        **EMBEDDED,
    )

    assert result.returncode == 0, result.stderr
    status, _, body = result.stdout.partition("\n")
    assert status == "401 application/json"
    assert "<html" not in body


READ_DATABASES = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps({alias: {k: d[k] for k in ('ENGINE', 'HOST', 'NAME', 'CONN_MAX_AGE', "
    "'CONN_HEALTH_CHECKS', 'OPTIONS', 'TEST') if k in d} for alias, d in s.DATABASES.items()})); "
    "print(json.dumps(s.DATABASE_ROUTERS))"
)


def test_a_read_replica_is_configured_like_the_primary_and_mirrors_it_in_tests(tmp_path):
    result = run_django(
        READ_DATABASES,
        tmp_path,
        **{
            **PRODUCTION_LIKE,
            "DATABASE_REPLICA_URL": "postgres://reader:secret@10.0.0.2:5432/frontdoor",
        },
    )

    assert result.returncode == 0, result.stderr
    databases_line, routers_line = result.stdout.strip().splitlines()
    databases = json.loads(databases_line)
    assert set(databases) == {"default", "replica"}
    replica = databases["replica"]
    assert replica["ENGINE"] == "django.db.backends.postgresql"
    assert (replica["HOST"], replica["NAME"]) == ("10.0.0.2", "frontdoor")
    assert (replica["CONN_MAX_AGE"], replica["CONN_HEALTH_CHECKS"]) == (60, True)
    # The primary's connection options, whatever they are (jit=off and the like).
    for option, value in databases["default"]["OPTIONS"].items():
        assert replica["OPTIONS"][option] == value
    assert (replica["OPTIONS"]["sslmode"], replica["OPTIONS"]["sslrootcert"]) == (
        "verify-full",
        "system",
    )
    assert replica["TEST"]["MIRROR"] == "default"
    assert json.loads(routers_line) == ["frontdoor.db_router.ReplicaRouter"]


def test_without_a_replica_url_there_is_only_the_primary(tmp_path):
    result = run_django(READ_DATABASES, tmp_path, **PRODUCTION_LIKE)

    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout.splitlines()[0])) == {"default"}


@pytest.mark.parametrize(
    ("primary", "replica"),
    [
        (PRODUCTION_LIKE["DATABASE_URL"], "sqlite:////tmp/replica.sqlite3"),
        (PRODUCTION_LIKE["DATABASE_URL"], "mysql://reader@10.0.0.2/frontdoor"),
    ],
)
def test_production_refuses_a_replica_that_is_not_postgresql(tmp_path, primary, replica):
    env = {**PRODUCTION_LIKE, "DATABASE_URL": primary, "DATABASE_REPLICA_URL": replica}

    result = run_django("", tmp_path, **env)

    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL must name a PostgreSQL read replica" in result.stderr


def test_the_embedded_mode_refuses_a_replica_of_its_sqlite_database(tmp_path):
    result = run_django(
        "",
        tmp_path,
        **EMBEDDED,
        DATABASE_REPLICA_URL="postgres://reader:secret@10.0.0.2:5432/frontdoor",
    )

    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL must name a PostgreSQL read replica" in result.stderr


def test_an_unreadable_replica_url_is_named(tmp_path):
    env = {**PRODUCTION_LIKE, "DATABASE_REPLICA_URL": "not a url"}

    result = run_django("", tmp_path, **env)

    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL" in result.stderr
