"""The PKCS#11 security module's settings (FRONTDOOR_PKCS11_*, frontdoor.settings) and the
start-up check (agencies.checks, frontdoor.wsgi): set in part or unusable, Front Door
refuses to start, naming the variable. Each case starts a fresh interpreter
(tests/frontdoor/test_settings.py)."""

import pytest

from tests.frontdoor.test_settings import PRODUCTION_LIKE, manage, run_django

PRINT_PKCS11 = (
    "from django.conf import settings as s; "
    "print(s.PKCS11['TOKEN_LABEL'], s.PKCS11['PIN'], '|'.join(s.PKCS11['OTP_KEY_LABELS']), "
    "len(s.OTP_KEY_ENCRYPTION_KEYS))"
)


@pytest.fixture
def library(tmp_path):
    """A file where the module's library would be (the settings check only that it is one)."""
    path = tmp_path / "libpkcs11.so"
    path.write_bytes(b"\x7fELF")
    return path


def configured(library, **overrides) -> dict[str, str]:
    return {
        "FRONTDOOR_PKCS11_MODULE": str(library),
        "FRONTDOOR_PKCS11_TOKEN_LABEL": "frontdoor",
        "FRONTDOOR_PKCS11_PIN": "user-pin",
        "FRONTDOOR_PKCS11_OTP_KEY_LABEL": "otp-2027, otp-2026",
        **overrides,
    }


def test_a_module_configured_in_part_is_refused_naming_what_is_missing(tmp_path, library):
    env = configured(library)
    del env["FRONTDOOR_PKCS11_PIN"], env["FRONTDOOR_PKCS11_OTP_KEY_LABEL"]

    result = run_django("", tmp_path, **PRODUCTION_LIKE, **env)

    assert result.returncode != 0
    assert "configured only in part" in result.stderr
    assert (
        "set FRONTDOOR_PKCS11_PIN (or FRONTDOOR_PKCS11_PIN_FILE), FRONTDOOR_PKCS11_OTP_KEY_LABEL"
        in result.stderr
    )


def test_a_module_path_that_is_not_a_file_is_refused(tmp_path, library):
    env = configured(library, FRONTDOOR_PKCS11_MODULE=str(tmp_path / "missing.so"))

    result = run_django("", tmp_path, **PRODUCTION_LIKE, **env)

    assert result.returncode != 0
    assert "FRONTDOOR_PKCS11_MODULE must be the absolute path" in result.stderr


def test_a_key_label_given_twice_is_refused(tmp_path, library):
    env = configured(library, FRONTDOOR_PKCS11_OTP_KEY_LABEL="otp-1,otp-1")

    result = run_django("", tmp_path, **PRODUCTION_LIKE, **env)

    assert result.returncode != 0
    assert "FRONTDOOR_PKCS11_OTP_KEY_LABEL must be the labels" in result.stderr


def test_production_needs_no_application_keys_when_a_module_is_configured(tmp_path, library):
    env = {k: v for k, v in PRODUCTION_LIKE.items() if k != "FRONTDOOR_OTP_KEY_ENCRYPTION_KEYS"}
    pin_file = tmp_path / "pin"
    pin_file.write_text("pin-from-a-file\n")
    pkcs11 = configured(library, FRONTDOOR_PKCS11_PIN_FILE=str(pin_file))
    del pkcs11["FRONTDOOR_PKCS11_PIN"]

    result = run_django(PRINT_PKCS11, tmp_path, **env, **pkcs11)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["frontdoor", "pin-from-a-file", "otp-2027|otp-2026", "0"]


def test_production_needs_no_application_pepper_when_the_module_peppers(tmp_path, library):
    env = {k: v for k, v in PRODUCTION_LIKE.items() if k != "FRONTDOOR_PASSWORD_PEPPER"}
    pkcs11 = configured(library, FRONTDOOR_PKCS11_PEPPER_KEY_LABEL="pepper-2027")

    result = run_django(
        "from django.conf import settings as s; "
        "print(repr(s.PASSWORD_PEPPER), s.PKCS11['PEPPER_KEY_LABELS'])",
        tmp_path,
        **env,
        **pkcs11,
    )
    without = run_django("", tmp_path, **env, **configured(library))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "'' ['pepper-2027']"
    assert without.returncode != 0
    assert "FRONTDOOR_PASSWORD_PEPPER must be set" in without.stderr


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"FRONTDOOR_PKCS11_PEPPER_KEY_LABEL": "otp-2026"}, "none of them one of"),
        ({"FRONTDOOR_PKCS11_PEPPER_KEY_LABEL": "p-1,,p-2"}, "each given once"),
    ],
    ids=["shared-with-the-otp-keys", "empty-label"],
)
def test_pepper_key_labels_that_cannot_be_used_are_refused(tmp_path, library, variables, message):
    result = run_django("", tmp_path, **PRODUCTION_LIKE, **configured(library, **variables))

    assert result.returncode != 0
    assert "FRONTDOOR_PKCS11_PEPPER_KEY_LABEL must be" in result.stderr and message in result.stderr


def test_a_pepper_key_label_alone_is_a_module_configured_in_part(tmp_path):
    result = run_django(
        "", tmp_path, **PRODUCTION_LIKE, FRONTDOOR_PKCS11_PEPPER_KEY_LABEL="pepper-2027"
    )

    assert result.returncode != 0
    assert "set FRONTDOOR_PKCS11_MODULE, FRONTDOOR_PKCS11_TOKEN_LABEL" in result.stderr


def test_no_module_is_configured_by_default(tmp_path):
    result = run_django(
        "from django.conf import settings as s; print(s.PKCS11)", tmp_path, **PRODUCTION_LIKE
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None"


# --- At start-up, against the module itself (SoftHSM2) ---------------------------------


def test_the_app_refuses_to_load_with_a_pin_the_token_refuses(tmp_path, softhsm):
    env = {**softhsm.environment(), "FRONTDOOR_PKCS11_PIN": "not-the-pin", "DJANGO_DEBUG": "true"}

    wsgi = run_django("import frontdoor.wsgi", tmp_path, **env)
    check = manage(["check"], tmp_path, **env)

    assert wsgi.returncode != 0
    assert "ImproperlyConfigured: FRONTDOOR_PKCS11_PIN" in wsgi.stderr
    assert check.returncode != 0
    assert "agencies.E001" in check.stderr and "FRONTDOOR_PKCS11_PIN" in check.stderr


def test_the_app_loads_once_the_keys_are_made(tmp_path, softhsm):
    env = {**softhsm.environment("otp-start-up"), "DJANGO_DEBUG": "true"}

    before = run_django("import frontdoor.wsgi", tmp_path, **env)
    made = manage(["create_pkcs11_keys"], tmp_path, **env)
    after = run_django("import frontdoor.wsgi; print('loaded')", tmp_path, **env)

    assert before.returncode != 0
    assert "FRONTDOOR_PKCS11_OTP_KEY_LABEL names a key the token does not hold" in before.stderr
    assert made.returncode == 0, made.stderr
    assert "otp-start-up (AES): made in the token" in made.stdout
    assert after.returncode == 0, after.stderr
    assert after.stdout.strip() == "loaded"
