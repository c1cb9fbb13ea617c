"""The password strength meter on the change-password page (ASVS 2.1.8): while a person
types, how strong the new password is and whether it would be accepted, by the same
validators the form uses."""

import logging

import pytest
from django.urls import reverse

from agencies.passwords import strength
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STRONG = "velvet harbour pencil tundra"
URL = "/accounts/password/strength/"


def meter(client, password: str):
    return client.post(URL, {"new_password1": password})


def test_the_meter_is_at_the_address_the_page_asks():
    assert reverse("password-strength") == URL


def test_a_weak_password_is_scored_low_and_not_accepted_with_the_reasons(referrer_client):
    response = meter(referrer_client, "aaaaaaaaaaaa")

    text = response.content.decode()
    assert response.status_code == 200
    assert "Very weak" in text
    assert 'value="0"' in text
    assert 'data-testid="password-not-accepted"' in text
    assert "This password is too easy to guess." in text


def test_a_short_password_says_it_is_too_short(referrer_client):
    text = meter(referrer_client, "Tq9#x").content.decode()

    assert "at least 12 characters" in text
    assert 'data-testid="password-accepted"' not in text


def test_a_strong_passphrase_is_accepted(referrer_client):
    text = meter(referrer_client, STRONG).content.decode()

    assert 'data-testid="password-accepted"' in text
    assert 'data-testid="password-not-accepted"' not in text
    assert "Very strong" in text or "Strong" in text


def test_the_meter_knows_the_persons_own_words():
    """The same rule as the form: a password built on the username is refused."""
    user = UserFactory(username="marigold.featherstone")

    result = strength("marigold.featherstone2026!", user)

    assert not result.accepted
    assert any("words people would try first here" in reason for reason in result.reasons)


def test_the_meter_and_the_form_agree(referrer_client):
    """Whatever the meter accepts, the change-password form accepts."""
    from agencies.forms import ChangePasswordForm
    from tests.factories import PASSWORD

    user = UserFactory()
    for candidate in ("aaaaaaaaaaaa", "Password1234", STRONG, "correct horse battery"):
        form = ChangePasswordForm(
            user,
            {"old_password": PASSWORD, "new_password1": candidate, "new_password2": candidate},
        )
        assert form.is_valid() == strength(candidate, user).accepted, candidate


def test_an_empty_password_shows_nothing(referrer_client):
    response = meter(referrer_client, "")

    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_only_signed_in_people_may_ask_and_only_by_post(client, referrer_client):
    assert meter(client, STRONG).status_code == 302
    assert referrer_client.get(URL).status_code == 405


def test_the_password_is_not_logged(referrer_client, caplog):
    with caplog.at_level(logging.DEBUG):
        meter(referrer_client, STRONG)

    assert not any(STRONG in record.getMessage() for record in caplog.records)


def test_the_page_asks_the_meter_with_the_new_password_only(referrer_client):
    page = referrer_client.get(reverse("password-change")).content.decode()

    assert f'hx-post="{URL}"' in page
    assert 'hx-params="csrfmiddlewaretoken,new_password1"' in page
    assert 'id="new-password-strength"' in page
    assert 'aria-live="polite"' in page
    assert "htmx/htmx.min.js" in page
