"""Keys' ages and certificates' end dates (oversight.key_ages, ``manage.py key_ages``,
the daily task): ASVS 1.6.1."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from oversight import key_ages
from oversight.models import KeySeen
from oversight.tasks import check_key_ages

pytestmark = pytest.mark.django_db

DAY_ONE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SECRET = "s" * 20 + "secret-key-for-the-key-ages-test-0123456789"
NEW_SECRET = "n" * 20 + "the-new-secret-key-for-the-key-ages-test-987"
PEPPER = "pepper-for-the-key-ages-test-0123456789"
OTP_KEY = bytes(range(32))
OLD_OTP_KEY = bytes(range(1, 33))


@pytest.fixture
def keys(settings):
    settings.SECRET_KEY = SECRET
    settings.SECRET_KEY_FALLBACKS = []
    settings.PASSWORD_PEPPER = PEPPER
    settings.PASSWORD_PEPPER_FALLBACKS = []
    settings.OTP_KEY_ENCRYPTION_KEYS = [OTP_KEY]
    settings.HEALTH_TOKEN = ""
    settings.KEY_CRYPTOPERIOD_DAYS = 365
    settings.CERTIFICATE_WARN_DAYS = 7
    settings.CELERY_BROKER_URL = "memory://"
    settings.CACHE_URL = ""
    return settings


def _by_setting(ages):
    return {age.setting: age for age in ages}


def test_a_key_keeps_the_day_it_was_first_seen_and_is_due_a_cryptoperiod_later(keys):
    with time_machine.travel(DAY_ONE, tick=False):
        first = _by_setting(key_ages.record(DAY_ONE))
    later = DAY_ONE + timedelta(days=200)
    with time_machine.travel(later, tick=False):
        again = _by_setting(key_ages.record(later))

    assert set(again) == {
        "DJANGO_SECRET_KEY",
        "FRONTDOOR_PASSWORD_PEPPER",
        "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS (1)",
    }
    secret = again["DJANGO_SECRET_KEY"]
    assert secret.first_seen == first["DJANGO_SECRET_KEY"].first_seen == DAY_ONE
    assert secret.age_days(later) == 200
    assert secret.replace_by == (DAY_ONE + timedelta(days=365)).date()
    assert secret.state == key_ages.OK
    assert KeySeen.objects.get(kind="secret_key").last_seen == later


def test_a_key_is_due_soon_then_overdue_and_the_setting_moves_the_date(keys):
    key_ages.record(DAY_ONE)

    soon = DAY_ONE + timedelta(days=340)
    assert _by_setting(key_ages.record(soon))["DJANGO_SECRET_KEY"].state == key_ages.DUE_SOON_STATE
    past = DAY_ONE + timedelta(days=366)
    assert _by_setting(key_ages.record(past))["DJANGO_SECRET_KEY"].state == key_ages.OVERDUE

    keys.KEY_CRYPTOPERIOD_DAYS = 730
    assert _by_setting(key_ages.record(past))["DJANGO_SECRET_KEY"].state == key_ages.OK


def test_a_replaced_key_moved_to_the_fallbacks_keeps_its_day_and_the_new_one_starts_afresh(keys):
    key_ages.record(DAY_ONE)
    rotated = DAY_ONE + timedelta(days=300)
    keys.SECRET_KEY = NEW_SECRET
    keys.SECRET_KEY_FALLBACKS = [SECRET]
    keys.OTP_KEY_ENCRYPTION_KEYS = [bytes(32), OTP_KEY]

    ages = _by_setting(key_ages.record(rotated))

    assert ages["DJANGO_SECRET_KEY"].first_seen == rotated
    assert ages["DJANGO_SECRET_KEY"].current
    assert not ages["DJANGO_SECRET_KEY"].since_record_began
    fallback = ages["DJANGO_SECRET_KEY_FALLBACKS (1)"]
    assert (fallback.first_seen, fallback.current) == (DAY_ONE, False)
    assert fallback.since_record_began
    assert ages["FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS (2)"].first_seen == DAY_ONE
    assert ages["FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS (1)"].first_seen == rotated


def test_the_database_holds_a_fingerprint_never_the_key(keys):
    keys.HEALTH_TOKEN = "health-token-for-the-key-ages-test-0123"
    key_ages.record(DAY_ONE)

    stored = " ".join(f"{row.kind} {row.fingerprint}" for row in KeySeen.objects.all())
    assert KeySeen.objects.count() == 4
    for secret in (SECRET, PEPPER, OTP_KEY.hex(), keys.HEALTH_TOKEN):
        assert secret not in stored
    # The same key gives the same fingerprint; another key, or the same under another
    # kind, does not.
    assert key_ages.fingerprint("secret_key", SECRET) == key_ages.fingerprint("secret_key", SECRET)
    assert key_ages.fingerprint("secret_key", SECRET) != key_ages.fingerprint("secret_key", PEPPER)
    assert key_ages.fingerprint("secret_key", SECRET) != key_ages.fingerprint(
        "health_token", SECRET
    )


# --- Certificates -----------------------------------------------------------------------------


def _certificate(path, *, not_after: datetime, common_name: str = "frontdoor_app"):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_after - timedelta(days=60))
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return str(path)


def test_each_certificate_the_connections_name_is_read_for_its_end_date(keys, tmp_path):
    now = DAY_ONE
    client = _certificate(tmp_path / "client.pem", not_after=now + timedelta(days=3))
    authority = tmp_path / "ca.pem"
    # A bundle of two authorities: the first to end is the one that counts.
    _certificate(tmp_path / "a.pem", not_after=now + timedelta(days=400))
    _certificate(tmp_path / "b.pem", not_after=now + timedelta(days=90))
    authority.write_bytes((tmp_path / "a.pem").read_bytes() + (tmp_path / "b.pem").read_bytes())
    expired = _certificate(tmp_path / "old.pem", not_after=now - timedelta(hours=1))
    garbage = tmp_path / "not-a-certificate.pem"
    garbage.write_text("not a certificate")
    databases = {
        "default": {"OPTIONS": {"sslcert": client, "sslrootcert": str(authority), "sslkey": "/x"}}
    }
    keys.CELERY_BROKER_URL = (
        f"rediss://frontdoor:pw@redis:6379/0?ssl_cert_reqs=required&ssl_ca_certs={garbage}"
    )
    keys.CACHE_URL = f"rediss://frontdoor:pw@redis:6379/1?ssl_certfile={expired}"

    found = {cert.setting: cert for cert in key_ages.certificates(now, databases=databases)}

    assert found["DATABASE_URL sslcert"].state == key_ages.EXPIRING
    assert found["DATABASE_URL sslcert"].days_left(now) == 3
    assert found["DATABASE_URL sslrootcert"].state == key_ages.OK
    assert found["DATABASE_URL sslrootcert"].days_left(now) == 90
    assert found["CELERY_BROKER_URL ssl_ca_certs"].state == key_ages.UNREADABLE
    assert found["FRONTDOOR_CACHE_URL ssl_certfile"].state == key_ages.EXPIRED
    assert "DATABASE_URL sslkey" not in found
    problems = key_ages.problems([], list(found.values()), now)
    assert len(problems) == 3
    assert any("expires on" in p and "DATABASE_URL sslcert" in p for p in problems)


def test_the_system_authorities_and_plain_connections_name_no_certificate(keys):
    databases = {"default": {"OPTIONS": {"sslrootcert": "system"}}, "replica": {}}
    keys.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"

    assert key_ages.certificates(DAY_ONE, databases=databases) == []


# --- The command and the daily task ------------------------------------------------------


def test_the_command_lists_settings_and_dates_and_check_fails_once_a_key_is_overdue(keys):
    with time_machine.travel(DAY_ONE, tick=False):
        out = StringIO()
        call_command("key_ages", "--check", stdout=out)
    listing = out.getvalue()
    assert "DJANGO_SECRET_KEY" in listing
    assert "since 2026-01-05*" in listing
    assert "replace by 2027-01-05" in listing
    assert "may be older than it says" in listing
    assert SECRET not in listing

    with time_machine.travel(DAY_ONE + timedelta(days=400), tick=False):
        out = StringIO()
        with pytest.raises(CommandError) as refused:
            call_command("key_ages", "--check", stdout=out)
        # Without --check the same state only lists.
        call_command("key_ages", stdout=StringIO())
    message = str(refused.value)
    assert "DJANGO_SECRET_KEY: in use since 2026-01-05 (400 days)" in message
    assert "past its cryptoperiod of 365 days" in message
    assert SECRET not in message + out.getvalue()


def test_the_daily_task_warns_in_the_security_log_naming_settings_never_keys(keys, caplog):
    key_ages.record(DAY_ONE)

    with (
        time_machine.travel(DAY_ONE + timedelta(days=10), tick=False),
        caplog.at_level(logging.WARNING, logger="frontdoor.security"),
    ):
        assert check_key_ages() == 0
    assert not caplog.records

    with (
        time_machine.travel(DAY_ONE + timedelta(days=366), tick=False),
        caplog.at_level(logging.WARNING, logger="frontdoor.security"),
    ):
        assert check_key_ages() == 3
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 3
    assert all(w.startswith("key age: ") for w in warnings)
    assert any("FRONTDOOR_PASSWORD_PEPPER:" in w for w in warnings)
    assert not any(PEPPER in w or SECRET in w for w in warnings)


def test_beat_checks_the_keys_once_a_day():
    entry = django_settings.CELERY_BEAT_SCHEDULE["check-key-ages"]

    assert entry["task"] == check_key_ages.name == "oversight.check_key_ages"
    assert entry["schedule"].hour == {7} and entry["schedule"].minute == {5}
