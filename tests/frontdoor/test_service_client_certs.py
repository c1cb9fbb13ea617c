"""Production connects to PostgreSQL and Redis by client certificate where it is given one:
both the certificate and its key, readable, with Redis still asking for its password; and
`scripts/make-client-cert` signs a short-lived one named for the role (ASVS 2.10.1)."""

import shutil
import stat
import subprocess

import pytest
from cryptography import x509

from tests.frontdoor.service_tls_support import start
from tests.frontdoor.test_settings import PRODUCTION_LIKE, ROOT, run_django


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
