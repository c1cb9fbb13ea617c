"""Passwords are checked by a strength estimator (zxcvbn) that knows the local words, on
the password page and wherever Django validates a password."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from tests.factories import PASSWORD, AgencyFactory, ApiTokenFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/accounts/password/"


def refusal(password, user=None) -> str:
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    return " ".join(refused.value.messages)


def test_a_repeated_character_is_refused_with_a_clear_message():
    message = refusal("aaaaaaaaaaaa")

    assert "This password is too easy to guess." in message
    assert 'Repeats like "aaa" are easy to guess.' in message
    assert "three or four unrelated words" in message


def test_front_doors_own_words_are_refused_however_they_are_joined():
    message = refusal("Front-Door-Safeguarding-1")

    assert "words people would try first here" in message


def test_the_councils_words_are_refused_once_configured(settings):
    validate_password("Northshire-Front-Door1")  # unknown to the estimator until told

    settings.PASSWORD_LOCAL_WORDS = [*settings.PASSWORD_LOCAL_WORDS, "northshire"]

    assert "words people would try first here" in refusal("Northshire-Front-Door1")


def test_the_persons_own_names_username_and_agency_are_refused():
    school = AgencyFactory(name="Millbrook Primary School")
    ruth = UserFactory(username="ruth.castle", first_name="Ruth", last_name="Castle", agency=school)

    for password in ("RuthCastle-2026!", "ruth.castle.frontdoor", "millbrook-primary-2026"):
        assert "words people would try first here" in refusal(password, ruth), password
    validate_password("millbrook-primary-2026")  # someone else's agency: no reason to refuse


def test_three_unrelated_words_are_accepted():
    ruth = UserFactory(username="ruth.castle", first_name="Ruth", last_name="Castle")

    validate_password("quiet-lantern-orbit-47", ruth)
    validate_password("correct horse battery staple", ruth)


def test_a_local_word_with_enough_besides_it_is_accepted():
    validate_password("frontdoor-quiet-lantern-orbit")


# --- The password page ----------------------------------------------------------------------


def signed_in(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_a_long_passphrase_is_accepted_up_to_128_characters_and_refused_past_them():
    words = "copper kettle marsh lantern quietly folds seventeen paper boats "
    passphrase = (words * 3)[:128]

    validate_password(passphrase)
    assert refusal(passphrase + "x") == "This password is too long: use at most 128 characters."


def test_the_page_refuses_a_weak_new_password_naming_the_field():
    pat = UserFactory(username="pat")
    client = signed_in(pat)

    response = client.post(
        PAGE,
        {
            "old_password": PASSWORD,
            "new_password1": "aaaaaaaaaaaa",
            "new_password2": "aaaaaaaaaaaa",
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="#id_new_password2"' in page
    assert "This password is too easy to guess." in page
    pat.refresh_from_db()
    assert pat.check_password(PASSWORD)


def test_the_page_needs_the_current_password():
    pat = UserFactory(username="pat")

    response = signed_in(pat).post(
        PAGE,
        {
            "old_password": "not-it",
            "new_password1": "quiet-lantern-orbit-47",
            "new_password2": "quiet-lantern-orbit-47",
        },
    )

    assert "Your current password is not right" in response.content.decode()


def test_a_new_password_keeps_the_person_signed_in_and_ends_their_tokens():
    pat = UserFactory(username="pat")
    token = ApiTokenFactory(user=pat).raw
    client = signed_in(pat)

    response = client.post(
        PAGE,
        {
            "old_password": PASSWORD,
            "new_password1": "quiet-lantern-orbit-47",
            "new_password2": "quiet-lantern-orbit-47",
        },
    )

    assert response.status_code == 302 and response["Location"] == "/accounts/"
    assert "Your password is changed" in client.get("/accounts/").content.decode()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/agencies/").status_code == 401
    pat.refresh_from_db()
    assert pat.check_password("quiet-lantern-orbit-47")


def test_the_page_is_for_signed_in_people(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_each_password_field_has_a_show_button_for_its_own_input(client):
    fields = {
        "/accounts/login/": ["id_password"],
        PAGE: ["id_old_password", "id_new_password1", "id_new_password2"],
    }
    signed = signed_in(UserFactory())

    for page, ids in fields.items():
        html = (signed if page == PAGE else client).get(page).content.decode()
        assert html.count('data-module="govuk-password-input"') == len(ids)
        for field_id in ids:
            assert f'aria-controls="{field_id}" aria-label="Show password" hidden>Show<' in html
            assert re.search(
                rf'<input type="password"[^>]*govuk-js-password-input-input[^>]*id="{field_id}"',
                html,
            )
