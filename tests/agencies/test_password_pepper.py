"""Passwords are hashed with a pepper (agencies.hashers, ASVS 2.4.5): a secret outside the
database. The hashers here are the real ones with fewer iterations, so the tests stay
fast; the one in settings keeps Django's."""

import base64
import hashlib
import hmac
import logging

import pytest
from django.contrib.auth.hashers import (
    PBKDF2PasswordHasher,
    check_password,
    make_password,
)

from agencies.hashers import PepperedPBKDF2PasswordHasher, pepper_id
from agencies.models import ApiToken
from tests.factories import ApiTokenFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
OLD_PEPPER = "old-pepper-for-tests-0123456789abcdefghijklmnop"
NEW_PEPPER = "new-pepper-for-tests-0123456789abcdefghijklmnop"
LOGIN = "/accounts/login/"


class FastPepperedHasher(PepperedPBKDF2PasswordHasher):
    iterations = 1_000


class FastLegacyHasher(PBKDF2PasswordHasher):
    """Django's own PBKDF2-SHA256, as every password was hashed before the pepper."""

    iterations = 1_000


@pytest.fixture
def peppered(settings):
    settings.PASSWORD_HASHERS = [
        f"{__name__}.FastPepperedHasher",
        f"{__name__}.FastLegacyHasher",
    ]
    settings.PASSWORD_PEPPER = OLD_PEPPER
    settings.PASSWORD_PEPPER_FALLBACKS = []
    return settings


def test_settings_hash_with_the_pepper_first_with_djangos_pbkdf2_iterations():
    from frontdoor import settings as module

    assert module.PASSWORD_HASHERS[0] == "agencies.hashers.PepperedPBKDF2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in module.PASSWORD_HASHERS[1:]
    assert PepperedPBKDF2PasswordHasher.iterations == PBKDF2PasswordHasher.iterations
    assert PepperedPBKDF2PasswordHasher.digest is hashlib.sha256


def test_the_stored_hash_is_pbkdf2_of_the_password_keyed_with_the_pepper(peppered):
    encoded = make_password(PASSWORD, salt="somesaltsomesaltsomesa")
    algorithm, pepper, iterations, salt, digest = encoded.split("$")
    keyed = hmac.new(OLD_PEPPER.encode(), PASSWORD.encode(), hashlib.sha256).hexdigest()
    expected = hashlib.pbkdf2_hmac("sha256", keyed.encode(), salt.encode(), 1_000)
    unpeppered = hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), salt.encode(), 1_000)

    assert (algorithm, pepper, iterations) == (
        "pbkdf2_sha256_peppered",
        pepper_id(OLD_PEPPER),
        "1000",
    )
    assert base64.b64decode(digest) == expected
    assert base64.b64decode(digest) != unpeppered
    assert OLD_PEPPER not in encoded


def test_a_password_verifies_with_the_right_pepper_and_not_with_another(peppered):
    encoded = make_password(PASSWORD)

    assert check_password(PASSWORD, encoded)
    assert not check_password("not-the-password-at-all", encoded)
    peppered.PASSWORD_PEPPER = NEW_PEPPER
    assert not check_password(PASSWORD, encoded)


def test_a_hash_under_a_retired_pepper_is_refused_and_the_log_names_only_its_id(
    peppered, client, caplog
):
    UserFactory(username="pat", password=make_password(PASSWORD))
    peppered.PASSWORD_PEPPER = NEW_PEPPER  # OLD_PEPPER retired without a fallback

    with caplog.at_level(logging.WARNING, logger="frontdoor.security"):
        response = client.post(LOGIN, {"username": "pat", "password": PASSWORD})

    assert response.status_code == 200  # the form again: not signed in
    assert not response.wsgi_request.user.is_authenticated
    warnings = [r.getMessage() for r in caplog.records if "unknown pepper" in r.getMessage()]
    assert warnings == [f"password hash under an unknown pepper: pepper={pepper_id(OLD_PEPPER)}"]
    assert OLD_PEPPER not in caplog.text


def test_rotation_an_old_peppers_hash_signs_in_and_is_made_again_under_the_new_one(
    peppered, client
):
    pat = UserFactory(username="pat", password=make_password(PASSWORD))
    token = ApiTokenFactory(user=pat)
    peppered.PASSWORD_PEPPER = NEW_PEPPER
    peppered.PASSWORD_PEPPER_FALLBACKS = [OLD_PEPPER]

    response = client.post(LOGIN, {"username": "pat", "password": PASSWORD})

    assert response.status_code == 302
    pat.refresh_from_db()
    assert pat.password.startswith(f"pbkdf2_sha256_peppered${pepper_id(NEW_PEPPER)}$")
    # A hash made again is not a password change: the API token is not ended.
    assert ApiToken.objects.filter(pk=token.pk).exists()
    # Once every hash has moved on, the old pepper can be retired.
    peppered.PASSWORD_PEPPER_FALLBACKS = []
    assert pat.check_password(PASSWORD)


def test_a_hash_made_before_the_pepper_signs_in_and_is_peppered_at_that_sign_in(peppered, client):
    legacy = make_password(PASSWORD, hasher="pbkdf2_sha256")
    pat = UserFactory(username="pat", password=legacy)
    assert legacy.startswith("pbkdf2_sha256$1000$")

    response = client.post(LOGIN, {"username": "pat", "password": PASSWORD})

    assert response.status_code == 302
    pat.refresh_from_db()
    assert pat.password.startswith(f"pbkdf2_sha256_peppered${pepper_id(OLD_PEPPER)}$1000$")
    assert pat.check_password(PASSWORD)


def test_a_wrong_password_leaves_a_hash_made_before_the_pepper_as_it_was(peppered, client):
    legacy = make_password(PASSWORD, hasher="pbkdf2_sha256")
    pat = UserFactory(username="pat", password=legacy)

    response = client.post(LOGIN, {"username": "pat", "password": "not-the-password-at-all"})

    assert response.status_code == 200
    pat.refresh_from_db()
    assert pat.password == legacy


def test_a_new_password_is_hashed_with_the_current_pepper(peppered):
    peppered.PASSWORD_PEPPER = NEW_PEPPER
    peppered.PASSWORD_PEPPER_FALLBACKS = [OLD_PEPPER]
    pat = UserFactory(username="pat")

    pat.set_password("a-brand-new-long-passphrase-for-pat")

    assert pat.password.startswith(f"pbkdf2_sha256_peppered${pepper_id(NEW_PEPPER)}$")


def test_the_hash_must_be_made_again_when_djangos_iterations_rise(peppered):
    encoded = make_password(PASSWORD)
    hasher = PepperedPBKDF2PasswordHasher()  # Django's iterations, not the tests' 1,000

    assert not FastPepperedHasher().must_update(encoded)
    assert hasher.must_update(encoded)
    assert hasher.verify(PASSWORD, encoded)  # the iterations are read from the hash


def test_the_status_command_counts_hashes_by_pepper_to_tell_when_one_can_go(peppered, capsys):
    from django.core.management import call_command

    UserFactory(password=make_password(PASSWORD))  # under OLD_PEPPER
    UserFactory(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    UserFactory(password=make_password(None))
    peppered.PASSWORD_PEPPER = NEW_PEPPER
    peppered.PASSWORD_PEPPER_FALLBACKS = [OLD_PEPPER]
    UserFactory(password=make_password(PASSWORD))
    UserFactory(password=make_password(PASSWORD))

    call_command("password_pepper_status")
    peppered.PASSWORD_PEPPER_FALLBACKS = []
    call_command("password_pepper_status")

    first, second = capsys.readouterr().out.strip().split("\ncurrent")
    assert first.splitlines() == [
        "current: 2",
        "fallback 1: 1",
        "unknown pepper: 0",
        "before the pepper: 1",
        "no password: 1",
    ]
    assert ("current" + second).splitlines() == [
        "current: 2",
        "unknown pepper: 1",
        "before the pepper: 1",
        "no password: 1",
    ]
