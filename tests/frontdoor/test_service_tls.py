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


# --- Client certificates (ASVS 2.10.1) -----------------------------------------------


def test_production_connects_by_client_certificate_and_postgres_needs_no_password(tmp_path):
    """sslcert and sslkey reach libpq's connection parameters (dj_database_url keeps them
    in OPTIONS), the URL has no password, and Redis's URLs keep ssl_certfile and
    ssl_keyfile for kombu and redis-py, beside the password Redis still asks for."""
    for name in ("ca.pem", "app.pem", "app.key"):
        (tmp_path / name).write_text("-----BEGIN-----\n")
    redis_tls = (
        f"?ssl_cert_reqs=required&ssl_ca_certs={tmp_path}/ca.pem"
        f"&ssl_certfile={tmp_path}/app.pem&ssl_keyfile={tmp_path}/app.key"
    )
    result = run_django(
        "from django.db import connection; p = connection.get_connection_params(); "
        "print(p['sslmode'], p['sslcert'], p['sslkey'], repr(p.get('password', ''))); "
        "from kombu import Connection; from django.conf import settings as s; "
        "print(sorted(Connection(s.CELERY_BROKER_URL).ssl)); "
        "from django.core.cache import cache; "
        "k = cache._cache._get_connection_pool(True).connection_kwargs; "
        "print(k['ssl_certfile'], k['ssl_keyfile'])",
        tmp_path,
        **{
            **PRODUCTION_LIKE,
            "DATABASE_URL": f"postgres://frontdoor_app@db.internal/frontdoor?sslmode=verify-full"
            f"&sslrootcert={tmp_path}/ca.pem&sslcert={tmp_path}/app.pem"
            f"&sslkey={tmp_path}/app.key",
            "CELERY_BROKER_URL": f"rediss://frontdoor:secret@redis.internal:6380/0{redis_tls}",
            "FRONTDOOR_CACHE_URL": f"rediss://frontdoor:secret@redis.internal:6380/1{redis_tls}",
        },
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"verify-full {tmp_path}/app.pem {tmp_path}/app.key ''",
        "['ssl_ca_certs', 'ssl_cert_reqs', 'ssl_certfile', 'ssl_keyfile']",
        f"{tmp_path}/app.pem {tmp_path}/app.key",
    ]


@pytest.mark.parametrize(
    ("variable", "query", "message"),
    [
        ("DATABASE_URL", "&sslcert={d}/app.pem", "DATABASE_URL names sslcert without sslkey"),
        ("DATABASE_URL", "&sslkey={d}/app.key", "DATABASE_URL names sslkey without sslcert"),
        (
            "DATABASE_URL",
            "&sslcert={d}/missing.pem&sslkey={d}/app.key",
            "DATABASE_URL names sslcert={d}/missing.pem, which is not a file",
        ),
        (
            "CELERY_BROKER_URL",
            "&ssl_certfile={d}/app.pem",
            "CELERY_BROKER_URL names ssl_certfile without ssl_keyfile",
        ),
        (
            "FRONTDOOR_CACHE_URL",
            "&ssl_certfile={d}/app.pem&ssl_keyfile={d}/missing.key",
            "FRONTDOOR_CACHE_URL names ssl_keyfile={d}/missing.key, which is not a file",
        ),
    ],
)
def test_a_client_certificate_needs_its_certificate_and_key_both_readable(
    tmp_path, variable, query, message
):
    for name in ("app.pem", "app.key"):
        (tmp_path / name).write_text("-----BEGIN-----\n")
    base = {
        "DATABASE_URL": "postgres://frontdoor_app@db.internal/frontdoor"
        "?sslmode=verify-full&sslrootcert=system",
        "CELERY_BROKER_URL": "rediss://frontdoor:secret@redis.internal:6380/0?ssl_cert_reqs=required",
        "FRONTDOOR_CACHE_URL": "rediss://frontdoor:secret@redis.internal:6380/1?ssl_cert_reqs=required",
    }
    result = start(tmp_path, **{variable: base[variable] + query.format(d=tmp_path)})

    assert result.returncode != 0
    assert message.format(d=tmp_path) in result.stderr


def test_redis_still_asks_for_the_password_beside_a_client_certificate(tmp_path):
    for name in ("app.pem", "app.key"):
        (tmp_path / name).write_text("-----BEGIN-----\n")
    result = start(
        tmp_path,
        CELERY_BROKER_URL="rediss://redis.internal:6380/0?ssl_cert_reqs=required"
        f"&ssl_certfile={tmp_path}/app.pem&ssl_keyfile={tmp_path}/app.key",
    )

    assert result.returncode != 0
    assert "CELERY_BROKER_URL must carry Redis's password" in result.stderr


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_make_client_cert_signs_a_short_lived_client_certificate_named_for_the_role(tmp_path):
    """What the production smoke check gives the app's role (pg_hba "cert" takes its
    common name as the role), and what a new one replaces at rotation."""
    out = tmp_path / "tls"
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "make-service-certs"), str(out), "db"],
        capture_output=True,
        check=True,
        timeout=60,
    )

    def make(name):
        return subprocess.run(
            ["bash", str(ROOT / "scripts" / "make-client-cert"), str(out), name],
            capture_output=True,
            text=True,
            timeout=60,
        )

    made = make("frontdoor_app")
    first = (out / "frontdoor_app.pem").read_bytes()
    rotated = make("frontdoor_app")

    assert made.returncode == 0, made.stderr
    ca = x509.load_pem_x509_certificate((out / "ca.pem").read_bytes())
    client = x509.load_pem_x509_certificate((out / "frontdoor_app.pem").read_bytes())
    client.verify_directly_issued_by(ca)
    (common_name,) = client.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    assert common_name.value == "frontdoor_app"
    usage = client.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [x509.ExtendedKeyUsageOID.CLIENT_AUTH]
    assert (client.not_valid_after_utc - client.not_valid_before_utc).days == 30
    assert stat.S_IMODE((out / "frontdoor_app.key").stat().st_mode) == 0o600
    # Rotation: a new certificate in its place.
    assert rotated.returncode == 0 and (out / "frontdoor_app.pem").read_bytes() != first
    assert make("not a role").returncode != 0
    without_ca = subprocess.run(
        ["bash", str(ROOT / "scripts" / "make-client-cert"), str(tmp_path / "none"), "app"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert without_ca.returncode != 0 and "the authority) are missing" in without_ca.stderr


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
