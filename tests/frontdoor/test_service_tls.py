"""Production connects to PostgreSQL and Redis over TLS, verifying their certificates,
and to Redis with a password, or refuses to start naming the variable; the one opt-out
covers services on this machine only (issue 13; ASVS 1.9.1, 1.9.2, 9.2.1 to 9.2.3)."""

import ipaddress
import shutil
import stat
import subprocess

import pytest
from cryptography import x509

from frontdoor import service_tls
from tests.frontdoor.test_settings import PRODUCTION_LIKE, ROOT, run_django

TLS_DB = "?sslmode=verify-full&sslrootcert=system"
TLS_REDIS = "?ssl_cert_reqs=required"
LOOPBACK = {"FRONTDOOR_ALLOW_PLAINTEXT_SERVICES": "loopback"}


def start(tmp_path, **variables):
    return run_django("", tmp_path, **{**PRODUCTION_LIKE, **variables})


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        # libpq's default, sslmode=prefer: TLS if offered, nothing verified, plain text if not.
        (
            "DATABASE_URL",
            "postgres://app:secret@db.internal:5432/frontdoor",
            "DATABASE_URL must ask for TLS with the server's certificate verified",
        ),
        (
            "DATABASE_URL",
            "postgres://app:secret@db.internal:5432/frontdoor?sslmode=require",
            "not sslmode=require",
        ),
        (
            "DATABASE_URL",
            "postgres://app:secret@db.internal:5432/frontdoor?sslmode=verify-full",
            "DATABASE_URL must ask for TLS with the server's certificate verified",
        ),
        (
            "DATABASE_URL",
            "postgres://app:secret@db.internal/frontdoor?sslmode=verify-full"
            "&sslrootcert=/nonexistent/ca.pem",
            "DATABASE_URL names sslrootcert=/nonexistent/ca.pem, which is not a file",
        ),
        (
            "DATABASE_REPLICA_URL",
            "postgres://reader:secret@10.0.0.2:5432/frontdoor?sslmode=prefer",
            "DATABASE_REPLICA_URL must ask for TLS",
        ),
        (
            "CELERY_BROKER_URL",
            "redis://:secret@redis.internal:6379/0",
            "CELERY_BROKER_URL must use TLS when DJANGO_DEBUG is off",
        ),
        (
            "CELERY_BROKER_URL",
            "rediss://:secret@redis.internal:6380/0",
            "CELERY_BROKER_URL must verify the Redis server's certificate",
        ),
        (
            "CELERY_BROKER_URL",
            "rediss://:secret@redis.internal:6380/0?ssl_cert_reqs=none",
            "not ssl_cert_reqs=none",
        ),
        (
            "CELERY_BROKER_URL",
            "rediss://:secret@redis.internal:6380/0?ssl_cert_reqs=required"
            "&ssl_check_hostname=false",
            "CELERY_BROKER_URL must not turn off ssl_check_hostname",
        ),
        (
            "CELERY_BROKER_URL",
            "rediss://redis.internal:6380/0?ssl_cert_reqs=required",
            "CELERY_BROKER_URL must carry Redis's password",
        ),
        (
            "FRONTDOOR_CACHE_URL",
            "redis://redis.internal:6379/1",
            "FRONTDOOR_CACHE_URL must use TLS",
        ),
        (
            "FRONTDOOR_CACHE_URL",
            "rediss://redis.internal:6380/1?ssl_cert_reqs=required",
            "FRONTDOOR_CACHE_URL must carry Redis's password",
        ),
    ],
)
def test_production_refuses_a_service_connection_without_verified_tls_naming_it(
    tmp_path, variable, value, message
):
    result = start(tmp_path, **{variable: value})

    assert result.returncode != 0
    assert message in result.stderr


def test_production_starts_with_verified_tls_and_a_password_everywhere(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    result = run_django(
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['OPTIONS']['sslmode'], "
        "s.DATABASES['replica']['OPTIONS']['sslrootcert'] == s.DATABASES['default']['OPTIONS']"
        "['sslrootcert'], s.CELERY_BROKER_URL.split(':', 1)[0], s.CACHE_URL.split(':', 1)[0])",
        tmp_path,
        **{
            **PRODUCTION_LIKE,
            "DATABASE_URL": f"postgres://app:secret@db.internal/frontdoor?sslmode=verify-ca"
            f"&sslrootcert={ca}",
            "DATABASE_REPLICA_URL": "postgres://reader:secret@10.0.0.2/frontdoor",
            "CELERY_BROKER_URL": "rediss://frontdoor:secret@redis.internal:6380/0"
            f"{TLS_REDIS}&ssl_ca_certs={ca}",
            "FRONTDOOR_CACHE_URL": f"rediss://:secret@redis.internal:6380/1{TLS_REDIS}",
        },
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["verify-ca", "True", "rediss", "rediss"]


@pytest.mark.parametrize(
    "variables",
    [
        {
            "DATABASE_URL": "postgres://app:secret@127.0.0.1:5432/frontdoor",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            "FRONTDOOR_CACHE_URL": "redis://localhost:6379/1",
        },
        {
            "DATABASE_URL": "postgres://app:secret@[::1]:5432/frontdoor",
            "CELERY_BROKER_URL": "redis://[::1]:6379/0",
        },
        # A Unix socket: no host in the URL, or a directory.
        {"DATABASE_URL": "postgres:///frontdoor", "CELERY_BROKER_URL": "redis://localhost/0"},
        {"DATABASE_URL": "postgres://app@%2Fvar%2Frun%2Fpostgresql/frontdoor"},
    ],
)
def test_the_loopback_opt_out_lets_services_on_this_machine_go_without_tls(tmp_path, variables):
    without = start(tmp_path, **variables)
    with_opt_out = start(tmp_path, **variables, **LOOPBACK)

    assert without.returncode != 0
    assert "FRONTDOOR_ALLOW_PLAINTEXT_SERVICES=loopback" in without.stderr
    assert with_opt_out.returncode == 0, with_opt_out.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        # A compose service name, a private network address: not this machine.
        ("DATABASE_URL", "postgres://app:secret@db:5432/frontdoor"),
        ("DATABASE_URL", "postgres://app:secret@10.0.0.5:5432/frontdoor"),
        ("DATABASE_URL", "postgres://app:secret@127.0.0.1,db.internal/frontdoor"),
        ("DATABASE_REPLICA_URL", "postgres://reader:secret@10.0.0.2:5432/frontdoor"),
        ("CELERY_BROKER_URL", "redis://redis:6379/0"),
        ("CELERY_BROKER_URL", "redis://:secret@192.168.1.10:6379/0"),
        ("FRONTDOOR_CACHE_URL", "redis://127.0.0.2.example.com:6379/1"),
    ],
)
def test_the_loopback_opt_out_covers_nothing_beyond_this_machine(tmp_path, variable, value):
    variables = {variable: value}
    if variable == "DATABASE_REPLICA_URL":
        # The primary on this machine in plain text; the replica elsewhere, inheriting none.
        variables["DATABASE_URL"] = "postgres://app:secret@127.0.0.1/frontdoor"
    result = start(tmp_path, **variables, **LOOPBACK)

    assert result.returncode != 0
    assert f"{variable} must" in result.stderr
    assert "allows plain connections only to 127.0.0.1, ::1, localhost" in result.stderr


def test_an_unknown_opt_out_value_is_refused_naming_the_variable(tmp_path):
    result = start(tmp_path, FRONTDOOR_ALLOW_PLAINTEXT_SERVICES="yes")

    assert result.returncode != 0
    assert "FRONTDOOR_ALLOW_PLAINTEXT_SERVICES must be empty or 'loopback'" in result.stderr


def test_development_and_the_embedded_mode_ask_nothing_of_the_connections(tmp_path):
    result = run_django(
        "",
        tmp_path,
        DJANGO_DEBUG="true",
        DATABASE_URL="postgres://app:secret@db:5432/frontdoor",
        CELERY_BROKER_URL="redis://redis:6379/0",
    )

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("", True),
        ("/var/run/postgresql", True),
        ("127.0.0.1", True),
        ("::1", True),
        ("[::1]", True),
        ("LOCALHOST", True),
        ("127.0.0.2", False),
        ("localhost.example.com", False),
        ("db", False),
        ("10.0.0.1", False),
    ],
)
def test_what_counts_as_this_machine(host, loopback):
    assert service_tls.is_loopback(host) is loopback


def test_a_replica_inherits_the_primarys_verified_tls():
    replica = {
        "HOST": "10.0.0.2",
        "OPTIONS": {"sslmode": "verify-full", "sslrootcert": "system", "options": "-c jit=off"},
    }

    assert (
        service_tls.database_problem("DATABASE_REPLICA_URL", replica, allow_loopback=False) is None
    )


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_make_service_certs_makes_an_authority_and_a_server_certificate_it_signed(tmp_path):
    """What docker-compose and the production smoke check use: a certificate naming each
    host given, signed by the authority, and keys only their owner reads."""
    out = tmp_path / "tls"
    made = subprocess.run(
        [
            "bash",
            str(ROOT / "scripts" / "make-service-certs"),
            str(out),
            "db",
            "redis",
            "127.0.0.1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    again = subprocess.run(
        ["bash", str(ROOT / "scripts" / "make-service-certs"), str(out), "db"],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert made.returncode == 0, made.stderr
    ca = x509.load_pem_x509_certificate((out / "ca.pem").read_bytes())
    server = x509.load_pem_x509_certificate((out / "server.pem").read_bytes())
    server.verify_directly_issued_by(ca)
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["db", "redis"]
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert not server.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    for key in ("ca.key", "server.key"):
        assert stat.S_IMODE((out / key).stat().st_mode) == 0o600
    # It never overwrites an authority already made.
    assert again.returncode != 0 and "exists" in again.stderr
    assert x509.load_pem_x509_certificate((out / "ca.pem").read_bytes()) == ca


# --- SMTP and the log collector (ASVS 9.2.2) --------------------------------------------

SMTP = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"}
READ_EMAIL = (
    "from django.conf import settings as s; print(s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.EMAIL_PORT)"
)


@pytest.mark.parametrize(
    "variables",
    [
        {"EMAIL_HOST": "smtp.example.gov.uk", "EMAIL_USE_TLS": "false"},
        # The opt-out covers this machine only: not a relay elsewhere, not a compose service.
        {"EMAIL_HOST": "smtp.example.gov.uk", "EMAIL_USE_TLS": "false", **LOOPBACK},
        {"EMAIL_HOST": "mailrelay", "EMAIL_USE_TLS": "false", **LOOPBACK},
        {"EMAIL_HOST": "10.0.0.25", "EMAIL_USE_TLS": "false", **LOOPBACK},
        # This machine, but no opt-out.
        {"EMAIL_HOST": "127.0.0.1", "EMAIL_USE_TLS": "false"},
    ],
)
def test_production_refuses_plain_smtp_naming_the_variable(tmp_path, variables):
    result = start(tmp_path, **SMTP, **variables)

    assert result.returncode != 0
    assert "ImproperlyConfigured: EMAIL_USE_TLS must be true (STARTTLS, port 587)" in (
        result.stderr
    )
    assert f"EMAIL_HOST={variables['EMAIL_HOST']} in plain text" in result.stderr
    assert "FRONTDOOR_ALLOW_PLAINTEXT_SERVICES=loopback allows plain connections only" in (
        result.stderr
    )


@pytest.mark.parametrize(
    ("variables", "said"),
    [
        # STARTTLS, production's default.
        ({"EMAIL_HOST": "smtp.example.gov.uk"}, "True False 587"),
        # Implicit TLS.
        ({"EMAIL_HOST": "smtp.example.gov.uk", "EMAIL_USE_SSL": "true"}, "False True 465"),
        # Plain SMTP to a relay on this machine, under the opt-out.
        ({"EMAIL_HOST": "localhost", "EMAIL_USE_TLS": "false", **LOOPBACK}, "False False 25"),
        ({"EMAIL_HOST": "::1", "EMAIL_USE_TLS": "false", **LOOPBACK}, "False False 25"),
        # Another backend connects to nothing.
        (
            {
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_HOST": "smtp.example.gov.uk",
                "EMAIL_USE_TLS": "false",
            },
            "False False 25",
        ),
    ],
)
def test_production_sends_email_over_tls_or_to_this_machine_only(tmp_path, variables, said):
    result = run_django(READ_EMAIL, tmp_path, **{**PRODUCTION_LIKE, **SMTP, **variables})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == said


def test_starttls_and_implicit_tls_together_are_refused(tmp_path):
    result = start(tmp_path, **SMTP, EMAIL_USE_TLS="true", EMAIL_USE_SSL="true")

    assert result.returncode != 0
    assert "EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true" in result.stderr


def test_the_smtp_servers_certificate_and_name_are_verified(tmp_path):
    """Django's SMTP backend, as production configures it, checks the certificate against
    the system's authorities and the host name, for STARTTLS and implicit TLS alike."""
    code = (
        "import ssl; from django.core.mail import get_connection; c = get_connection(); "
        "x = c.ssl_context; "
        "print(type(c).__module__, x.verify_mode == ssl.CERT_REQUIRED, x.check_hostname)"
    )
    for variables in ({}, {"EMAIL_USE_SSL": "true"}):
        result = run_django(code, tmp_path, **{**PRODUCTION_LIKE, **SMTP, **variables})

        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["django.core.mail.backends.smtp", "True", "True"]


@pytest.mark.parametrize(
    "variables",
    [
        {"FRONTDOOR_LOG_FORWARD_URL": "syslog+tcp://logs.example.gov.uk:514"},
        {"FRONTDOOR_LOG_FORWARD_URL": "syslog+tcp://logs.example.gov.uk:514", **LOOPBACK},
        {"FRONTDOOR_LOG_FORWARD_URL": "syslog+tcp://10.0.0.9:514", **LOOPBACK},
        # This machine, but no opt-out.
        {"FRONTDOOR_LOG_FORWARD_URL": "syslog+tcp://127.0.0.1:514"},
    ],
)
def test_plain_log_forwarding_is_refused_beyond_this_machine_naming_the_variable(
    tmp_path, variables
):
    result = start(tmp_path, **variables)

    assert result.returncode != 0
    assert "ImproperlyConfigured: FRONTDOOR_LOG_FORWARD_URL is syslog+tcp://" in result.stderr
    assert "FRONTDOOR_ALLOW_PLAINTEXT_SERVICES=loopback allows plain connections only" in (
        result.stderr
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_plain_log_forwarding_to_a_relay_on_this_machine_needs_the_opt_out(tmp_path, host):
    code = (
        "import logging; print([type(h).__name__ for h in "
        "logging.getLogger('frontdoor.security').handlers])"
    )
    result = run_django(
        code,
        tmp_path,
        **PRODUCTION_LIKE,
        **LOOPBACK,
        FRONTDOOR_LOG_FORWARD_URL=f"syslog+tcp://{host}:5514",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['ForwardingHandler']"


def test_the_old_log_forwarding_opt_out_is_refused_rather_than_ignored(tmp_path):
    result = start(
        tmp_path,
        FRONTDOOR_LOG_FORWARD_URL="syslog+tcp://127.0.0.1:5514",
        FRONTDOOR_LOG_FORWARD_ALLOW_PLAINTEXT="true",
    )

    assert result.returncode != 0
    assert "FRONTDOOR_LOG_FORWARD_ALLOW_PLAINTEXT is no longer read" in result.stderr
