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


# --- Secrets read from files (NAME_FILE) ------------------------------------------------

READ_SECRETS = (
    "import base64; from django.conf import settings as s; "
    "print(s.SECRET_KEY); print(s.PASSWORD_PEPPER); "
    "print(base64.urlsafe_b64encode(s.OTP_KEY_ENCRYPTION_KEYS[0]).decode().rstrip('=')); "
    "print(s.DATABASES['default']['PASSWORD']); print(s.EMAIL_HOST_PASSWORD); "
    "print(s.HEALTH_TOKEN); print(','.join(s.SECRET_KEY_FALLBACKS))"
)
FROM_FILES = {
    "DJANGO_SECRET_KEY": PRODUCTION_LIKE["DJANGO_SECRET_KEY"],
    "FRONTDOOR_PASSWORD_PEPPER": PRODUCTION_LIKE["FRONTDOOR_PASSWORD_PEPPER"],
    "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS": PRODUCTION_LIKE["FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS"],
    "DATABASE_URL": "postgres://frontdoor_app:password-from-a-file@db:5432/frontdoor"
    "?sslmode=verify-full&sslrootcert=system",
    "EMAIL_HOST_PASSWORD": "smtp-password-from-a-file",
    "FRONTDOOR_HEALTH_TOKEN": "health-token-from-a-file",
    "DJANGO_SECRET_KEY_FALLBACKS": "o" * 10 + "-the-previous-secret-key-0123456789abcdefghij",
}


def test_every_secret_can_be_read_from_a_file_named_by_name_file(tmp_path):
    """As Docker and Kubernetes secrets and systemd credentials are given: a file each,
    ending in a newline, and the variable itself not set."""
    secrets_dir = tmp_path / "run-secrets"
    secrets_dir.mkdir()
    env = {k: v for k, v in PRODUCTION_LIKE.items() if k not in FROM_FILES}
    for name, value in FROM_FILES.items():
        (secrets_dir / name.lower()).write_text(value + "\n")
        env[f"{name}_FILE"] = str(secrets_dir / name.lower())

    result = run_django(READ_SECRETS, tmp_path, **env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        FROM_FILES["DJANGO_SECRET_KEY"],
        FROM_FILES["FRONTDOOR_PASSWORD_PEPPER"],
        FROM_FILES["FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS"],
        "password-from-a-file",
        "smtp-password-from-a-file",
        "health-token-from-a-file",
        FROM_FILES["DJANGO_SECRET_KEY_FALLBACKS"],
    ]


def test_a_variable_set_both_directly_and_as_a_file_is_refused(tmp_path):
    path = tmp_path / "pepper"
    path.write_text("another-pepper-from-a-file-0123456789abcdef\n")

    result = run_django("", tmp_path, **PRODUCTION_LIKE, FRONTDOOR_PASSWORD_PEPPER_FILE=str(path))

    assert result.returncode != 0
    assert "FRONTDOOR_PASSWORD_PEPPER and FRONTDOOR_PASSWORD_PEPPER_FILE are both set" in (
        result.stderr
    )


def test_a_secret_file_that_cannot_be_read_is_named(tmp_path):
    env = {k: v for k, v in PRODUCTION_LIKE.items() if k != "DJANGO_SECRET_KEY"}
    missing = tmp_path / "no-such-secret"

    result = run_django("", tmp_path, **env, DJANGO_SECRET_KEY_FILE=str(missing))

    assert result.returncode != 0
    assert f"DJANGO_SECRET_KEY_FILE names {missing}, which cannot be read" in result.stderr


def test_an_empty_secret_file_is_a_missing_secret(tmp_path):
    empty = tmp_path / "empty"
    empty.write_text("\n")
    env = {k: v for k, v in PRODUCTION_LIKE.items() if k != "FRONTDOOR_PASSWORD_PEPPER"}

    result = run_django("", tmp_path, **env, FRONTDOOR_PASSWORD_PEPPER_FILE=str(empty))

    assert result.returncode != 0
    assert "FRONTDOOR_PASSWORD_PEPPER must be set" in result.stderr


# --- The secret key rotates without signing everyone out ---------------------------------

OLD_SECRET_KEY = "old-secret-key-for-the-rotation-test-0123456789abcdefghijklmnop"
NEW_SECRET_KEY = "new-secret-key-for-the-rotation-test-0123456789abcdefghijklmnop"


def test_production_refuses_a_weak_fallback_secret_key(tmp_path):
    result = run_django(
        "", tmp_path, **PRODUCTION_LIKE, DJANGO_SECRET_KEY_FALLBACKS="short-old-key"
    )

    assert result.returncode != 0
    assert "and so must each of DJANGO_SECRET_KEY_FALLBACKS" in result.stderr


@pytest.mark.django_db
def test_a_new_secret_key_with_the_old_one_as_a_fallback_keeps_people_signed_in(settings):
    from django.test import Client

    from tests.factories import PASSWORD, UserFactory

    UserFactory(username="kept")
    UserFactory(username="dropped")
    settings.SECRET_KEY = OLD_SECRET_KEY
    kept, dropped = Client(), Client()
    for client, username in ((kept, "kept"), (dropped, "dropped")):
        client.post("/accounts/login/", {"username": username, "password": PASSWORD})
        assert client.get("/").status_code == 200

    settings.SECRET_KEY = NEW_SECRET_KEY
    settings.SECRET_KEY_FALLBACKS = [OLD_SECRET_KEY]
    assert kept.get("/").status_code == 200
    # Once seen under the new key, the session is signed with it: the old key can go.
    settings.SECRET_KEY_FALLBACKS = []
    assert kept.get("/").status_code == 200
    # Without the fallback, a session signed under the old key ends.
    assert dropped.get("/")["Location"].startswith("/accounts/login/")


# --- The security keys' relying party (WebAuthn) ------------------------------------------

READ_WEBAUTHN = (
    "from django.conf import settings as s; "
    "print(s.WEBAUTHN_RP_ID); print(','.join(s.WEBAUTHN_ORIGINS))"
)


def test_production_refuses_to_start_without_the_security_keys_domain(tmp_path):
    env = {k: v for k, v in PRODUCTION_LIKE.items() if k != "FRONTDOOR_WEBAUTHN_RP_ID"}

    missing = run_django("", tmp_path, **env)
    blank = run_django("", tmp_path, **env, FRONTDOOR_WEBAUTHN_RP_ID="  ")

    for result in (missing, blank):
        assert result.returncode != 0
        assert "ImproperlyConfigured: FRONTDOOR_WEBAUTHN_RP_ID must be set" in result.stderr


def test_production_takes_its_origin_from_the_base_url_unless_told(tmp_path):
    base = {**PRODUCTION_LIKE, "FRONTDOOR_BASE_URL": "https://frontdoor.example.gov.uk/"}

    default = run_django(READ_WEBAUTHN, tmp_path, **base)
    told = run_django(
        READ_WEBAUTHN,
        tmp_path,
        **base,
        FRONTDOOR_WEBAUTHN_ORIGINS="https://frontdoor.example.gov.uk, https://a.example.gov.uk",
    )

    assert default.returncode == 0, default.stderr
    assert default.stdout.splitlines() == [
        "frontdoor.example.gov.uk",
        "https://frontdoor.example.gov.uk",
    ]
    assert told.stdout.splitlines()[1] == (
        "https://frontdoor.example.gov.uk,https://a.example.gov.uk"
    )


def test_development_and_the_embedded_mode_use_localhost(tmp_path):
    development = run_django(READ_WEBAUTHN, tmp_path, DJANGO_DEBUG="true")
    embedded = run_django(READ_WEBAUTHN, tmp_path, **EMBEDDED)

    for result in (development, embedded):
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == ["localhost", ""]
