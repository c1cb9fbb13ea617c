"""Production connects to PostgreSQL and Redis over TLS, verifying their certificates,
and to Redis with a password, or refuses to start naming the variable; the one opt-out
covers services on this machine only (issue 13; ASVS 1.9.1, 1.9.2, 9.2.1 to 9.2.3).
Client certificates are in test_service_client_certs.py; SMTP and the log collector in
test_service_tls_mail_and_logs.py."""

import ipaddress
import shutil
import stat
import subprocess

import pytest
from cryptography import x509

from frontdoor import service_tls
from tests.frontdoor.service_tls_support import LOOPBACK, TLS_REDIS, start
from tests.frontdoor.test_settings import PRODUCTION_LIKE, ROOT, run_django


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
