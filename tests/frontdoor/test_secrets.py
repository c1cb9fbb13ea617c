"""The secrets production needs, and what the embedded mode makes of its own: each case
starts a fresh interpreter with its own environment (tests/frontdoor/test_settings.py)."""

import pytest

from tests.frontdoor.test_settings import PRODUCTION_LIKE, run_django

EMBEDDED = {"FRONTDOOR_EMBEDDED": "true"}


# --- The password pepper ---------------------------------------------------------------


def test_production_refuses_to_start_without_a_password_pepper(tmp_path):
    env = {k: v for k, v in PRODUCTION_LIKE.items() if k != "FRONTDOOR_PASSWORD_PEPPER"}

    result = run_django("", tmp_path, **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured: FRONTDOOR_PASSWORD_PEPPER must be set" in result.stderr
    assert not (tmp_path / "password_pepper").exists()


@pytest.mark.parametrize(
    "variables",
    [
        {"FRONTDOOR_PASSWORD_PEPPER": "short-pepper"},
        {"FRONTDOOR_PASSWORD_PEPPER": "a" * 40},
        {"FRONTDOOR_PASSWORD_PEPPER_FALLBACKS": "too-short"},
    ],
)
def test_production_refuses_a_weak_pepper(tmp_path, variables):
    result = run_django("", tmp_path, **{**PRODUCTION_LIKE, **variables})

    assert result.returncode != 0
    assert "FRONTDOOR_PASSWORD_PEPPER must be set to a random value" in result.stderr


def test_production_reads_the_pepper_and_its_fallbacks(tmp_path):
    result = run_django(
        "from django.conf import settings as s; "
        "print(s.PASSWORD_PEPPER); print(','.join(s.PASSWORD_PEPPER_FALLBACKS))",
        tmp_path,
        **PRODUCTION_LIKE,
        FRONTDOOR_PASSWORD_PEPPER_FALLBACKS="old-pepper-one-0123456789abcdefghij, "
        "old-pepper-two-0123456789abcdefghij",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        PRODUCTION_LIKE["FRONTDOOR_PASSWORD_PEPPER"],
        "old-pepper-one-0123456789abcdefghij,old-pepper-two-0123456789abcdefghij",
    ]


def test_the_embedded_mode_generates_its_pepper_once_and_keeps_it(tmp_path):
    code = "from django.conf import settings as s; print(s.PASSWORD_PEPPER)"

    first = run_django(code, tmp_path, **EMBEDDED)
    second = run_django(code, tmp_path, **EMBEDDED)
    development = run_django(code, tmp_path, DJANGO_DEBUG="true")
    other_install = run_django(code, tmp_path / "other", **EMBEDDED)

    assert first.returncode == 0, first.stderr
    pepper = first.stdout.strip()
    assert len(pepper) >= 32
    # make dev shares make run's var/ (and its database): the same pepper.
    assert second.stdout.strip() == development.stdout.strip() == pepper
    assert other_install.stdout.strip() != pepper
    assert (tmp_path / "password_pepper").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.glob(".password_pepper.*")] == []


# --- The authenticator keys' encryption keys ----------------------------------------------

READ_OTP_KEYS = (
    "from django.conf import settings as s; import base64; "
    "print(','.join(base64.urlsafe_b64encode(k).decode() for k in s.OTP_KEY_ENCRYPTION_KEYS))"
)


def test_production_refuses_to_start_without_the_otp_key_encryption_keys(tmp_path):
    env = {k: v for k, v in PRODUCTION_LIKE.items() if k != "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS"}

    result = run_django("", tmp_path, **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured: FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS must be set" in result.stderr
    assert not (tmp_path / "otp_key_encryption_key").exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("c2hvcnQ", "key 1 is 5 bytes, not 32"),
        ("cHJvZHVjdGlvbi1saWtlLW90cC1rZXktZm9yLXRlc3Q, not-base64!", "key 2 is not URL-safe"),
    ],
)
def test_an_otp_key_that_cannot_be_used_is_named_by_position_not_shown(tmp_path, value, message):
    result = run_django(
        "", tmp_path, **{**PRODUCTION_LIKE, "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS": value}
    )

    assert result.returncode != 0
    assert "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS must be keys of 32 random bytes" in result.stderr
    assert message in result.stderr
    assert "c2hvcnQ" not in result.stderr and "not-base64!" not in result.stderr


def test_the_otp_keys_must_not_be_the_password_pepper(tmp_path):
    pepper = "cmV1c2VkLXBlcHBlci1hbmQtb3RwLWtleS0wMTIzNDU"  # 32 bytes in base64: both fit
    env = {
        **PRODUCTION_LIKE,
        "FRONTDOOR_PASSWORD_PEPPER": pepper,
        "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS": pepper,
    }

    result = run_django("", tmp_path, **env)

    assert result.returncode != 0
    assert "must be keys of their own, not the secret key or the password pepper" in result.stderr


def test_production_reads_several_otp_keys_the_first_encrypting(tmp_path):
    older = "b2xkZXItb3RwLWtleS1mb3ItdGhlLXRlc3RzLTAxMjM"
    result = run_django(
        READ_OTP_KEYS,
        tmp_path,
        **{
            **PRODUCTION_LIKE,
            "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS": (
                PRODUCTION_LIKE["FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS"] + f" , {older}="
            ),
        },
    )

    assert result.returncode == 0, result.stderr
    first, second = result.stdout.strip().split(",")
    assert first.rstrip("=") == PRODUCTION_LIKE["FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS"]
    assert second.rstrip("=") == older


def test_the_embedded_mode_generates_its_otp_key_once_and_keeps_it(tmp_path):
    first = run_django(READ_OTP_KEYS, tmp_path, **EMBEDDED)
    second = run_django(READ_OTP_KEYS, tmp_path, **EMBEDDED)
    development = run_django(READ_OTP_KEYS, tmp_path, DJANGO_DEBUG="true")
    other_install = run_django(READ_OTP_KEYS, tmp_path / "other", **EMBEDDED)

    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert "," not in key
    assert second.stdout.strip() == development.stdout.strip() == key
    assert other_install.stdout.strip() != key
    assert (tmp_path / "otp_key_encryption_key").stat().st_mode & 0o777 == 0o600
